package dev.asclepius.core.internal.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One-row products {@code x · Wᵀ (+ residual)} split over {@code parts} Java threads, each running a
 * single-threaded PyTorch op on its own block of W's output rows (a view: W is row-major, so each block is
 * contiguous), the blocks concatenated after. This is how llama.cpp drives a matrix-vector product: each
 * core streams its own rows with no OpenMP fork/join, where one OpenMP-threaded op measured barely faster
 * on two threads than on one (docs/performance.md).
 *
 * <p>The calling thread computes block 0 and {@code parts - 1} daemon workers the others. Every PyTorch
 * setting the op needs is per thread (grad mode, intra-op threads), so each worker sets autograd off and
 * one intra-op thread once. Arrays a worker makes have no {@code NDScope} (scopes are per thread): they are
 * closed here once concatenated. Not thread-safe: one product at a time, as the forward pass runs.
 */
final class RowSplit implements AutoCloseable {
    /** Spin this long for a hand-off before parking: a decode matmul lasts 0.05-20 ms. */
    private static final long SPIN_NANOS = 50_000;

    private final int parts;
    private final Worker[] workers;
    private final Map<NDArray, NDArray[]> blocks = new IdentityHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Thread caller;

    RowSplit(int parts) {
        if (parts < 2) {
            throw new IllegalArgumentException("a row split needs at least 2 parts, got " + parts);
        }
        this.parts = parts;
        this.workers = new Worker[parts - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker("asclepius-rowsplit-" + (i + 1));
            workers[i].start();
        }
    }

    int parts() {
        return parts;
    }

    /** {@code x · Wᵀ + residual} for x [1, in] and W [out, in]; {@code residual} [1, out] or null. */
    NDArray linear(NDArray x, NDArray weight, NDArray residual) {
        NDArray[] w = blocks.computeIfAbsent(weight, this::split);
        NDArray[] out = new NDArray[parts];
        long[] from = new long[parts];
        long at = 0;
        for (int p = 0; p < parts; p++) {
            from[p] = at;
            at += w[p].getShape().get(0);
        }
        caller = Thread.currentThread();
        pending.set(workers.length);
        for (int i = 0; i < workers.length; i++) {
            int p = i + 1;
            workers[i].hand(() -> out[p] = block(x, w[p], residual, from[p]));
        }
        NDArray first;
        try (NDScope scope = new NDScope()) {   // block 0 in the caller's thread: only its result survives
            scope.suppressNotUsedWarning();
            first = block(x, w[0], residual, 0);
            NDScope.unregister(first);
        }
        await();
        out[0] = first;
        RuntimeException failed = null;
        PtNDArray[] pieces = new PtNDArray[parts];
        for (int p = 0; p < parts; p++) {
            if (out[p] == null) {
                failed = new IllegalStateException("row block " + p + " of a split product failed: "
                        + workers[p - 1].failure);
            }
            pieces[p] = (PtNDArray) out[p];
        }
        try {
            if (failed != null) {
                throw failed;
            }
            return JniUtils.cat(pieces, 1);
        } finally {
            for (NDArray piece : out) {
                if (piece != null) {
                    piece.close();
                }
            }
        }
    }

    private static NDArray block(NDArray x, NDArray w, NDArray residual, long from) {
        if (residual == null) {
            return JniUtils.linear((PtNDArray) x, (PtNDArray) w, null);
        }
        try (PtNDArray r = JniUtils.slice((PtNDArray) residual, 1, from, from + w.getShape().get(0), 1)) {
            return JniUtils.linear((PtNDArray) x, (PtNDArray) w, r);
        }
    }

    /** W's output rows in {@code parts} near-equal blocks, views kept for the model's life (owned by W's manager). */
    private NDArray[] split(NDArray weight) {
        long rows = weight.getShape().get(0);
        NDArray[] out = new NDArray[parts];
        for (int p = 0; p < parts; p++) {
            out[p] = JniUtils.slice((PtNDArray) weight, 0, rows * p / parts, rows * (p + 1) / parts, 1);
            NDScope.unregister(out[p]);   // created inside a step's scope, but must outlive it
        }
        return out;
    }

    private void await() {
        long start = System.nanoTime();
        while (pending.get() > 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 100_000);
            }
        }
    }

    @Override
    public void close() {
        for (Worker w : workers) {
            w.interrupt();
        }
        for (NDArray[] b : blocks.values()) {
            for (NDArray a : b) {
                a.close();
            }
        }
        blocks.clear();
    }

    private final class Worker extends Thread {
        private volatile Runnable task;
        volatile Throwable failure;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        void hand(Runnable work) {
            failure = null;
            task = work;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            PyTorchRuntime.noGrad();
            PyTorchRuntime.applyThreads(1);
            while (!isInterrupted()) {
                Runnable work = task;
                if (work == null) {
                    long start = System.nanoTime();
                    while ((work = task) == null && System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                    }
                    if (work == null) {
                        LockSupport.park(RowSplit.this);
                        continue;
                    }
                }
                task = null;
                try {
                    work.run();
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    pending.decrementAndGet();
                    LockSupport.unpark(caller);
                }
            }
        }
    }
}
