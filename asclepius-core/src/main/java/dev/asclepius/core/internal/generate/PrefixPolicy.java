package dev.asclepius.core.internal.generate;

import dev.asclepius.core.internal.model.KvCache;
import dev.asclepius.core.internal.model.LlamaModel;

/**
 * When the {@link PrefixCache} is used, filled and emptied: only matches long enough to be worth a copy,
 * only prompts long enough to be worth keeping, only within the KV budget, and freed after a while without
 * generations. Generation thread only, like the cache it governs (the on/off switch excepted).
 */
final class PrefixPolicy implements AutoCloseable {
    /** Below this many shared tokens a separate prefix pass (or a copy) costs more than it saves. */
    static final int MIN_SHARED_PREFIX = 8;
    /** Prompts shorter than this are not kept in the prefix cache: recomputing them is cheap. */
    private static final int MIN_RETAINED_PROMPT = 64;
    /** The prefix cache is freed after this long without a generation. */
    private static final long IDLE_NANOS = 10_000_000_000L;

    private final PrefixCache cache = new PrefixCache();
    private final LlamaModel model;
    private final BatchPlanner budget;
    private volatile boolean enabled;

    PrefixPolicy(LlamaModel model, BatchPlanner budget, boolean enabled) {
        this.model = model;
        this.budget = budget;
        this.enabled = enabled;
    }

    /** Turns caching on or off from now on (the caller frees the entry when off: {@link #releaseIfIdle}). */
    void enabled(boolean value) {
        this.enabled = value;
    }

    /** Tokens the cache holds now (0 when empty). */
    int length() {
        return cache.length();
    }

    /**
     * Tokens at the start of {@code prompt} (at most {@code limit}) whose keys and values the cache holds, or
     * 0 when caching is off or too few match to be worth a copy.
     */
    int reusable(int[] prompt, int limit, String scope) {
        if (!enabled) {
            return 0;
        }
        int n = cache.match(prompt, limit, scope);
        return n >= MIN_SHARED_PREFIX ? n : 0;
    }

    /** The cached keys and values; call after {@link #reusable} gave a positive count. */
    KvCache kv() {
        return cache.kv();
    }

    /**
     * Keeps the first {@code tokens.length} slots of {@code source}'s row 0, which hold {@code tokens}, as the
     * entry (copied, so the running batch can keep changing its cache), next to {@code batchSlots} slots in use.
     */
    void retain(int[] tokens, KvCache source, long batchSlots, String scope) {
        if (!enabled || tokens.length < MIN_RETAINED_PROMPT || !budget.withinBudget(batchSlots, tokens.length)) {
            return;
        }
        KvCache copy = model.newCache(1, tokens.length);
        copy.copyPrefix(source, tokens.length);
        cache.store(tokens, copy, scope);
    }

    /** Keeps {@code prefix}, a batch's shared prefix computed apart, as the entry when allowed; else frees it. */
    void keepOrClose(int[] tokens, KvCache prefix, long batchSlots, String scope) {
        if (enabled && budget.withinBudget(batchSlots, tokens.length)) {
            cache.store(tokens, prefix, scope);
        } else {
            prefix.close();
        }
    }

    /** Frees the entry when a batch of {@code batchSlots} slots needs the memory more than a possible reuse. */
    void makeRoom(long batchSlots) {
        if (!budget.withinBudget(batchSlots, cache.length())) {
            cache.close();
        }
    }

    /** When the generation thread should wake to free an unused entry ({@code Long.MAX_VALUE}: never). */
    long releaseDeadline() {
        if (cache.length() == 0) {
            return Long.MAX_VALUE;
        }
        return enabled ? cache.lastUsed() + IDLE_NANOS : System.nanoTime();
    }

    /** Frees the entry if it has not been used for a while, or at once when caching is off. */
    void releaseIfIdle() {
        cache.releaseIfIdle(enabled ? IDLE_NANOS : 0);
    }

    @Override
    public void close() {
        cache.close();
    }
}
