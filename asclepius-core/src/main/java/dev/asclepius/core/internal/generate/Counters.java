package dev.asclepius.core.internal.generate;

/** What the generation thread has done so far, for tests and diagnostics (written by it only). */
final class Counters {
    private volatile int widestBatch;
    private volatile long decodeSteps;

    /** A batch of {@code rows} rows is about to decode. */
    void sawBatch(int rows) {
        if (rows > widestBatch) {
            widestBatch = rows;
        }
    }

    /** One batched forward step after the prompts ran. */
    void stepped() {
        decodeSteps = decodeSteps + 1;   // one writer: the generation thread
    }

    int widestBatch() {
        return widestBatch;
    }

    long decodeSteps() {
        return decodeSteps;
    }
}
