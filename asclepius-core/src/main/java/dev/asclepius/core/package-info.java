/**
 * The public API of the engine: {@link dev.asclepius.core.LanguageModel} (the contract every backend
 * implements), {@link dev.asclepius.core.LocalModel} (LLaMA / Mistral on DJL + PyTorch), generation settings
 * and results, prompt templates, and the typed {@link dev.asclepius.core.AsclepiusException} family.
 *
 * <p>Nothing here takes or returns null unless marked {@code @Nullable}; absent values are {@code Optional}.
 */
@NullMarked
package dev.asclepius.core;

import org.jspecify.annotations.NullMarked;
