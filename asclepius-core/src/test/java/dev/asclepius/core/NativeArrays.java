package dev.asclepius.core;

import java.time.Duration;

/** Test helper: native array counts after the generation thread has finished cleaning up. */
final class NativeArrays {
    private NativeArrays() {
    }

    /** The model's engine array count once its generation thread is idle (results come just before cleanup). */
    static int settle(LocalModel model) throws InterruptedException {
        model.awaitIdle(Duration.ofSeconds(5));
        return model.stats().nativeArrays();
    }
}
