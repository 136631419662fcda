package dev.asclepius.core.internal.generate;

import dev.asclepius.core.internal.model.KvCache;

/**
 * Keys and values of the most recent prompt prefix, kept after its generation so that the next one that
 * starts with the same tokens copies them instead of recomputing them (the same idea as vLLM's automatic
 * prefix caching, with one entry). Research code asks many questions about one note in a row, and every
 * prompt is template + note + question: the note's prefill, often 1,000+ tokens, is most of the work.
 *
 * <p>One entry, because a second note rarely shares more than the template with the first. Owned by the
 * generation thread only (no locking); it holds native memory, so {@link PrefixPolicy} releases it when idle and
 * counts it in the KV-cache budget.
 *
 * <p>The entry belongs to one cache scope ({@link dev.asclepius.core.GenerationConfig#cacheScope()}): a prompt
 * of another scope never matches it, so the cached-token count (and the time saved) of one scope's requests
 * says nothing about another scope's prompts. A request of another scope may replace the entry, which only
 * costs the first scope a recomputation.
 */
final class PrefixCache implements AutoCloseable {
    private int[] tokens = new int[0];
    private String scope = "";
    private KvCache kv;
    private long lastUsed;

    /**
     * How many leading tokens of {@code prompt}, at most {@code limit}, the entry holds: the length of the
     * common prefix of the cached tokens and the prompt; 0 when the entry belongs to another scope.
     */
    int match(int[] prompt, int limit, String scope) {
        if (kv == null || !this.scope.equals(scope)) {
            return 0;
        }
        int n = Math.min(Math.min(limit, prompt.length), tokens.length);
        int i = 0;
        while (i < n && tokens[i] == prompt[i]) {
            i++;
        }
        return i;
    }

    /** The cached keys and values (batch 1; slots 0 .. length of the cached tokens); call after {@link #match}. */
    KvCache kv() {
        lastUsed = System.nanoTime();
        return kv;
    }

    /**
     * Replaces the entry (closing the old one) with {@code kv}, which holds {@code tokens} at slots 0.., for
     * requests of {@code scope}.
     */
    void store(int[] tokens, KvCache kv, String scope) {
        if (this.kv != null && this.kv != kv) {
            this.kv.close();
        }
        this.tokens = tokens.clone();
        this.scope = scope;
        this.kv = kv;
        this.lastUsed = System.nanoTime();
    }

    /** Tokens the entry holds (0 when empty). */
    int length() {
        return kv == null ? 0 : tokens.length;
    }

    /** When the entry was last stored or read ({@link System#nanoTime()} scale). */
    long lastUsed() {
        return lastUsed;
    }

    /** Frees the entry when it has not been used for {@code idleNanos}. */
    void releaseIfIdle(long idleNanos) {
        if (kv != null && System.nanoTime() - lastUsed >= idleNanos) {
            close();
        }
    }

    @Override
    public void close() {
        if (kv != null) {
            kv.close();
            kv = null;
            tokens = new int[0];
        }
    }
}
