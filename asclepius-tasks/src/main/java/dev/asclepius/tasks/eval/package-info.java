/**
 * Parse quality: scores the answer parsers against a corpus of expected items and spans
 * ({@code asclepius eval-parse}).
 */
@NullMarked
package dev.asclepius.tasks.eval;

import org.jspecify.annotations.NullMarked;
