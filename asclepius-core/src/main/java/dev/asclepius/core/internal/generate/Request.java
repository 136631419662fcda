package dev.asclepius.core.internal.generate;

import dev.asclepius.core.GenerationConfig;

/** One caller's generation, from submission until its row leaves: prompt, settings and where its output goes. */
record Request(int[] prompt, GenerationConfig config, Delivery delivery) {

    /** Cache slots it needs alone: its prompt and its whole answer. */
    int need() {
        return prompt.length + config.maxNewTokens();
    }

    /** Whether the caller no longer waits for it (cancelled, timed out, or its listener failed). */
    boolean abandoned() {
        return delivery.abandoned();
    }

    void fail(Throwable failure) {
        delivery.fail(failure);
    }
}
