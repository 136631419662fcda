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
    private static volatile Function<LocalModel, dev.asclepius.core.internal.generate.Scheduler> schedulerAccess;

    private Internals() {
    }

    public static void registerEngineAccess(Function<LocalModel, LlamaModel> access) {
        engineAccess = access;
    }

    public static void registerSchedulerAccess(Function<LocalModel, dev.asclepius.core.internal.generate.Scheduler> access) {
        schedulerAccess = access;
    }

    /** The generation loop behind {@code model} (diagnostics: how wide its batches got). */
    public static dev.asclepius.core.internal.generate.Scheduler scheduler(LocalModel model) {
        return schedulerAccess.apply(model);
    }

    /** The forward pass behind {@code model}. Callers must hold no expectation of thread-safety. */
    public static LlamaModel engine(LocalModel model) {
        return engineAccess.apply(model);
    }
}
