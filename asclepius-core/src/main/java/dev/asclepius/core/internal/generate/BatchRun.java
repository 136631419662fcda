package dev.asclepius.core.internal.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.asclepius.core.EngineException;
import dev.asclepius.core.internal.model.KvCache;
import dev.asclepius.core.internal.model.LlamaModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One batch from its first prefill until its last row leaves: each step takes every row's token (rows that
 * finished, or whose caller gave up, leave and their cache rows are freed), admits waiting requests that
 * fit, and runs one forward pass for all rows. A lone unmasked row runs the plain single-sequence pass, so
 * batching costs a single caller nothing. Generation thread only; one instance per batch.
 */
final class BatchRun {
    private final GuardedEngine engine;
    private final BatchPlanner planner;
    private final Prefill prefill;
    private final WorkQueue queue;
    private final Counters counters;
    private final Runnable betweenSteps;
    private final int context;
    private final int capacity;
    private final List<Request> initial;

    private KvCache cache;
    private List<Row> rows = new ArrayList<>();
    private int slot;            // the next free cache slot: every row's next token goes there
    private int sharedPrefix;    // slots every row holds identically (0 once any request joins)
    private NDArray mask;        // for the rows as they are; null or stale after rows change
    private boolean maskStale = true;

    /**
     * @param betweenSteps other callers' work, run between two decode steps
     */
    BatchRun(List<Request> initial, GuardedEngine engine, BatchPlanner planner, Prefill prefill, WorkQueue queue,
             Counters counters, Runnable betweenSteps) {
        this.initial = initial;
        this.engine = engine;
        this.planner = planner;
        this.prefill = prefill;
        this.queue = queue;
        this.counters = counters;
        this.betweenSteps = betweenSteps;
        this.context = engine.model().config().contextLength();
        this.capacity = planner.capacity(initial);
    }

    /** Cache slots the batch has (for the prefix cache's budget check before it starts). */
    int capacity() {
        return capacity;
    }

    /**
     * Runs the batch to its end. On failure every row still in it fails with the error (DJL's engine errors
     * as {@link EngineException}), which is then rethrown.
     */
    void run() {
        try {
            long started = System.nanoTime();
            cache = engine.open(() -> engine.model().newCache(initial.size(), capacity));
            Prefill.Started start = prefill.start(initial, cache, capacity, started);
            rows = new ArrayList<>(start.rows());
            slot = start.slot();
            sharedPrefix = start.sharedPrefix();
            counters.sawBatch(rows.size());
            while (true) {
                retire();
                engine.ensureOpen();
                if (admit()) {
                    maskStale = true;
                    sharedPrefix = 0;   // a joined row's own tokens may sit in the prefix slots
                }
                if (rows.isEmpty()) {
                    return;
                }
                counters.sawBatch(rows.size());
                if (slot >= capacity) {
                    long now = System.nanoTime();
                    rows.forEach(row -> row.stopForContext(now));
                    return;
                }
                step();
                slot++;
                betweenSteps.run();
            }
        } catch (RuntimeException e) {
            RuntimeException failure = typed(e);
            rows.forEach(row -> row.request.fail(failure));
            throw failure;
        } finally {
            if (mask != null) {
                engine.freeing(mask::close);
            }
            if (cache != null) {
                engine.freeing(cache::close);
            }
        }
    }

    /** DJL's engine errors as the SDK's typed {@link EngineException}; others as they are. */
    static RuntimeException typed(RuntimeException e) {
        return e instanceof ai.djl.engine.EngineException
                ? new EngineException("PyTorch failed during generation: " + e.getMessage(), e) : e;
    }

    /**
     * Takes each row's pending token; rows that finish with it, or whose caller no longer waits (cancelled,
     * timed out, listener failed), leave the batch and their cache rows are freed.
     */
    private void retire() {
        long now = System.nanoTime();
        long[] keep = new long[rows.size()];
        int kept = 0;
        List<Row> still = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            if (!row.request.abandoned() && !row.accept(context, now)) {
                keep[kept++] = i;
                still.add(row);
            }
        }
        if (kept < rows.size()) {
            long[] keptRows = Arrays.copyOf(keep, kept);
            engine.open(() -> cache.keepRows(keptRows));
            maskStale = true;
        }
        rows = still;
    }

    /**
     * Admits waiting requests that fit ({@link BatchPlanner#canJoin}), first in first served; a request whose
     * prefill fails fails alone.
     *
     * @return whether any row joined
     */
    private boolean admit() {
        boolean joined = false;
        Request r;
        while (!rows.isEmpty() && (r = queue.pollIf(q -> planner.canJoin(q, rows.size(), slot, capacity))) != null) {
            Row row;
            try {
                row = prefill.join(r, cache, slot, capacity);
            } catch (RuntimeException e) {
                r.fail(typed(e));
                continue;
            }
            if (row.accept(context, System.nanoTime())) {
                engine.open(() -> cache.keepRows(BatchLayout.allButLast(cache.batch())));   // done on its first token
            } else {
                rows.add(row);
            }
            joined = true;
        }
        return joined;
    }

    /** One decode step for every row: the plain forward pass for a lone unmasked row, else the batched one. */
    private void step() {
        if (maskStale) {
            if (mask != null) {
                engine.freeing(mask::close);
                mask = null;
            }
            // Under the engine lock like every native allocation: a close between two steps must end these
            // generations with ModelClosedException, not DJL's "NDManager has been closed".
            mask = engine.open(() -> BatchLayout.mask(engine.model().manager(), rows, capacity));
            maskStale = false;
        }
        BatchLayout.StepTokens tokens = BatchLayout.step(rows, slot);
        rows.forEach(row -> row.sequence.countDecodeStep());
        int n = rows.size();
        engine.useDecodeThreads(n);
        LlamaModel model = engine.model();
        engine.step(() -> {
            NDArray logits = n == 1 && rows.get(0).gap == 0
                    ? model.forward(tokens.ids(), slot, cache, false)
                    : model.forward(tokens.ids(), n, slot, model.manager().create(tokens.positions(), new Shape(n, 1)),
                            mask, cache, sharedPrefix, false);
            NextTokens.choose(logits, rows);
            return null;
        });
        counters.stepped();
    }
}
