package dev.asclepius.core;

import ai.djl.ndarray.NDManager;
import dev.asclepius.core.internal.Internals;
import java.time.Duration;

/** Test helper: native array counts after the generation thread has finished cleaning up. */
final class NativeArrays {
    private NativeArrays() {
    }

    /** The model's engine array count once its generation thread is idle (results come just before cleanup). */
    static int settle(LocalModel model, NDManager manager) throws InterruptedException {
        Internals.scheduler(model).awaitIdle(Duration.ofSeconds(5));
        return manager.getManagedArrays().size();
    }
}
