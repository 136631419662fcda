/**
 * Asclepius tasks over Spark datasets: one model per executor JVM, notes batched per partition.
 */
@NullMarked
package dev.asclepius.spark;

import org.jspecify.annotations.NullMarked;
