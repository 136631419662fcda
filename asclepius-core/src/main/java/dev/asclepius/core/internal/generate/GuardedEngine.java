package dev.asclepius.core.internal.generate;

import ai.djl.ndarray.NDScope;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import dev.asclepius.core.internal.model.LlamaModel;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The forward pass as the generation thread uses it: every native call under the engine lock, taken in one
 * place ({@link #under}), and the intra-op thread count switched between prompts and decode steps.
 *
 * <p>Why the lock: {@code close()} marks the model closed, then takes this lock to free the native memory.
 * Outside the lock an op could run on memory close() frees at that moment (a SIGSEGV in KvCache.keepRows)
 * or on a closed manager (DJL's IllegalStateException); under it, the op either runs before the close or
 * sees it and throws {@link ModelClosedException}.
 */
final class GuardedEngine {
    /**
     * Decode steps of up to this many rows do so little arithmetic per weight read that they are bound by
     * memory bandwidth and use {@code decodeThreads}; wider steps multiply each weight by several rows and
     * use every prompt thread (small model, 2 cores: a 2-row step took 12.6 ms on 2 threads and 14.0 ms on
     * 1; an 8-row step 20.6 ms and 30.3 ms; a 1-row step 13.5 ms and 11.6 ms).
     */
    private static final int BANDWIDTH_BOUND_ROWS = 1;

    private final LlamaModel model;
    private final ReentrantLock lock;
    private final BooleanSupplier closing;
    private final int prefillThreads;   // intra-op threads for prompts (0: leave PyTorch's setting alone)
    private final int decodeThreads;    // intra-op threads for decode steps (0: leave alone)
    private int activeThreads;          // generation thread only

    GuardedEngine(LlamaModel model, ReentrantLock lock, BooleanSupplier closing, int prefillThreads,
                  int decodeThreads) {
        this.model = model;
        this.lock = lock;
        this.closing = closing;
        this.prefillThreads = prefillThreads;
        this.decodeThreads = decodeThreads;
    }

    LlamaModel model() {
        return model;
    }

    /** Whether the model is being closed: running generations end at their next step. */
    boolean closing() {
        return closing.getAsBoolean();
    }

    /** Throws when the model is being closed (generations end with this, never with a native error). */
    void ensureOpen() {
        if (closing()) {
            throw new ModelClosedException("The model was closed during generation; the partial output was discarded.");
        }
    }

    /** Native work, under the lock and only while the model is open. */
    <T> T open(Supplier<T> work) {
        return under(true, work);
    }

    /** {@link #open(Supplier)} for work without a result. */
    void open(Runnable work) {
        under(true, () -> {
            work.run();
            return null;
        });
    }

    /**
     * Native work whose temporaries are freed when it returns (an {@link NDScope}), under the lock and only
     * while the model is open: a forward step and the choice of the next tokens from its logits.
     */
    <T> T step(Supplier<T> work) {
        return under(true, () -> {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                return work.get();
            }
        });
    }

    /**
     * Frees native memory under the lock, open or not: after close() the model's manager has freed it already
     * and DJL's close is then a no-op; the lock keeps the two frees from interleaving.
     */
    void freeing(Runnable free) {
        under(false, () -> {
            free.run();
            return null;
        });
    }

    /**
     * Work of another caller run between decode steps ({@link Scheduler#call}), under the lock whether or not
     * the model is open: the work checks that itself and fails fast once it is closed.
     */
    void exclusive(Runnable work) {
        under(false, () -> {
            work.run();
            return null;
        });
    }

    /** The one place the engine lock is taken and released. */
    private <T> T under(boolean requireOpen, Supplier<T> work) {
        lock.lock();
        try {
            if (requireOpen) {
                ensureOpen();
            }
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** Called once on the generation thread before its first native call. */
    void prepareThread() {
        PyTorchRuntime.prepareThread();
        activeThreads = PyTorchRuntime.threads();
    }

    /** Prompts are compute-bound and use every thread given. */
    void usePromptThreads() {
        useThreads(prefillThreads);
    }

    /** A decode step of {@code rows} rows: bandwidth-bound when narrow (see {@link #BANDWIDTH_BOUND_ROWS}). */
    void useDecodeThreads(int rows) {
        useThreads(rows <= BANDWIDTH_BOUND_ROWS ? decodeThreads : prefillThreads);
    }

    /**
     * Switches the generation thread to {@code threads} intra-op threads (no-op when 0 or already so): a decode
     * step streams each weight once and may run best on fewer (measured: one core saturates this VM's memory
     * bandwidth).
     */
    void useThreads(int threads) {
        if (threads > 0 && threads != activeThreads) {
            PyTorchRuntime.applyThreads(threads);
            activeThreads = threads;
        }
    }
}
