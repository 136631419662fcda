package dev.asclepius.spark;

import dev.asclepius.core.LanguageModel;
import java.io.Serializable;

/**
 * Opens a model on an executor, for {@link ModelSpec#custom(String, ModelFactory)}: another backend (a
 * GGUF engine, a differently configured {@code LocalModel} or {@code RemoteModel}, a test double).
 * Serializable, because Spark ships it to the executors; called once per executor JVM.
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {
    LanguageModel open();
}
