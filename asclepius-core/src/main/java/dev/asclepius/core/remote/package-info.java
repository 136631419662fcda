/**
 * {@link dev.asclepius.core.remote.RemoteModel}: a {@link dev.asclepius.core.LanguageModel} served by an
 * OpenAI-compatible completions server (vLLM, llama.cpp's server, {@code asclepius serve}).
 */
@NullMarked
package dev.asclepius.core.remote;

import org.jspecify.annotations.NullMarked;
