package dev.asclepius.core.spi;

import dev.asclepius.core.LanguageModel;

/**
 * A backend that loads models the core engine does not run itself, found with {@link java.util.ServiceLoader}
 * (registered in {@code META-INF/services/dev.asclepius.core.spi.ModelProvider}). The llama.cpp backend
 * ({@code dev.asclepius:asclepius-llamacpp}) is one: callers such as the task client pick it for a
 * {@code .gguf} file without depending on it at compile time.
 */
public interface ModelProvider {

    /** A short name for messages, e.g. {@code llama.cpp}. */
    String name();

    /** Whether this provider loads what {@code request} names. */
    boolean accepts(ModelRequest request);

    /** Loads the model; the caller owns and closes it. */
    LanguageModel open(ModelRequest request);
}
