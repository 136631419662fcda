/**
 * The llama.cpp backend (GGUF files through java-llama.cpp) and the Hugging Face to GGUF converter.
 */
@NullMarked
package dev.asclepius.llamacpp;

import org.jspecify.annotations.NullMarked;
