package dev.asclepius.core.internal.generate;

import dev.asclepius.core.internal.model.LlamaModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Which requests decode together and how many cache slots their batch gets, within the batch width and
 * the KV-cache budget: a batch starts with the requests waiting together, sized with headroom for requests
 * that join later; a request joins a running batch when its prompt fits before the current slot and its
 * answer before the end of the cache.
 */
final class BatchPlanner {
    private final LlamaModel model;
    private final int maxBatch;
    private final IntUnaryOperator rowsThatFit;
    private final long kvBudget;

    /**
     * @param rowsThatFit sequences of a given length that the KV cache budget allows
     * @param kvBudget    bytes of KV cache allowed in all (Long.MAX_VALUE: no limit), the prefix cache included
     */
    BatchPlanner(LlamaModel model, int maxBatch, IntUnaryOperator rowsThatFit, long kvBudget) {
        this.model = model;
        this.maxBatch = maxBatch;
        this.rowsThatFit = rowsThatFit;
        this.kvBudget = kvBudget;
    }

    private int context() {
        return model.config().contextLength();
    }

    /** The batch to start: {@code first} and the requests queued behind it that fit with it. */
    List<Request> startWith(Request first, WorkQueue queue) {
        List<Request> batch = new ArrayList<>(List.of(first));
        Request next;
        while (batch.size() < maxBatch && (next = queue.pollIf(r -> fits(batch, r))) != null) {
            batch.add(next);
        }
        return batch;
    }

    private boolean fits(List<Request> batch, Request candidate) {
        int tokens = candidate.need();
        for (Request r : batch) {
            tokens = Math.max(tokens, r.need());
        }
        return batch.size() + 1 <= rowsThatFit.applyAsInt(Math.min(context(), 2 * tokens));
    }

    /**
     * Cache slots for a batch starting with {@code initial}: twice what it needs, as headroom for requests
     * that join later, shrunk until one more row than it starts with fits the budget (or to what it needs).
     */
    int capacity(List<Request> initial) {
        int need = 0;
        for (Request r : initial) {
            need = Math.max(need, r.need());
        }
        int capacity = Math.min(context(), 2 * need);
        while (capacity > need && rowsThatFit.applyAsInt(capacity) < Math.min(maxBatch, initial.size() + 1)) {
            capacity = Math.max(need, capacity * 3 / 4);
        }
        return Math.min(capacity, context());
    }

    /**
     * Whether {@code r} may join a running batch of {@code rows} rows whose next slot is {@code slot}: its
     * prompt fits before the slot, its answer (or what the context leaves) before the end of the cache, and
     * one more row stays within the budget.
     */
    boolean canJoin(Request r, int rows, int slot, int capacity) {
        int length = r.prompt().length;
        int room = Math.min(r.config().maxNewTokens(), context() - length);
        return rows < maxBatch && length <= slot && slot + room <= capacity
                && rows + 1 <= rowsThatFit.applyAsInt(capacity);
    }

    /** Whether {@code tokens} more slots, next to {@code inUse} slots already allocated, stay within the budget. */
    boolean withinBudget(long inUse, long tokens) {
        return kvBudget == Long.MAX_VALUE || model.kvBytesPerToken() * (inUse + tokens) <= kvBudget;
    }
}
