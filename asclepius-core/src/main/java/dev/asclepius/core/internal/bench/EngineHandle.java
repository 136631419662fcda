package dev.asclepius.core.internal.bench;

import dev.asclepius.core.LocalModel;
import dev.asclepius.core.internal.generate.Scheduler;
import dev.asclepius.core.internal.model.LlamaModel;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

/**
 * The forward pass and generation thread inside a {@link LocalModel}, for the one measurement that needs
 * them: {@link EngineBench#run}'s floors stream the model's own weight matrices on its own generation
 * thread. Everything else the bench reads comes from {@link LocalModel#stats()}.
 *
 * <p>Why a private lookup: Java has no module-private members, so the alternatives were a public
 * {@code LocalModel} method returning engine types (in the public API and its compatibility baseline) or a
 * static accessor that {@code LocalModel} registers itself with (the {@code Internals} cycle this replaces).
 * A lookup from this package into {@code LocalModel}'s private fields works only inside the core module
 * (core opens no package to anyone), so nothing outside it can reach the engine this way. If the fields
 * are renamed, {@link #of} fails at once with this class's name in the message (the bench tests run it).
 */
record EngineHandle(LlamaModel engine, Scheduler scheduler) {
    private static final MethodHandle ENGINE;
    private static final MethodHandle SCHEDULER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(LocalModel.class, MethodHandles.lookup());
            ENGINE = lookup.findGetter(LocalModel.class, "model", LlamaModel.class);
            SCHEDULER = lookup.findGetter(LocalModel.class, "scheduler", Scheduler.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(new IllegalStateException(
                    "EngineHandle: LocalModel's fields 'model' (LlamaModel) and 'scheduler' (Scheduler) were renamed or "
                    + "retyped; update EngineHandle to match", e));
        }
    }

    static EngineHandle of(LocalModel model) {
        try {
            return new EngineHandle((LlamaModel) ENGINE.invoke(model), (Scheduler) SCHEDULER.invoke(model));
        } catch (Throwable e) {
            throw new IllegalStateException("EngineHandle: cannot read the engine of " + model, e);
        }
    }
}
