package dev.asclepius.core.internal;

import dev.asclepius.core.LocalModel;
import dev.asclepius.core.internal.model.LlamaModel;
import java.util.function.Function;

/**
 * Lets SDK-internal code (benchmarks, batching) reach the engine inside a {@link LocalModel} without
 * widening LocalModel's public API. LocalModel registers the accessor when its class initializes.
 */
public final class Internals {
    private static volatile Function<LocalModel, LlamaModel> engineAccess;

    private Internals() {
    }

    public static void registerEngineAccess(Function<LocalModel, LlamaModel> access) {
        engineAccess = access;
    }

    /** The forward pass behind {@code model}. Callers must hold no expectation of thread-safety. */
    public static LlamaModel engine(LocalModel model) {
        return engineAccess.apply(model);
    }
}
