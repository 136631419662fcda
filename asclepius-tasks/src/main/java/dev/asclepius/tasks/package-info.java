/**
 * Clinical tasks over any {@link dev.asclepius.core.LanguageModel}: {@link dev.asclepius.tasks.AsclepiusClient}
 * asks the Asclepius paper's instruction for each task and parses the answer into records whose spans are
 * character offsets into the note.
 */
@NullMarked
package dev.asclepius.tasks;

import org.jspecify.annotations.NullMarked;
