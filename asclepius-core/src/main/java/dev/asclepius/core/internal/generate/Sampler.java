package dev.asclepius.core.internal.generate;

import dev.asclepius.core.GenerationConfig;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits on the host, in HuggingFace's order: repetition penalty,
 * then temperature, top-k, top-p, then a draw by inverse CDF. Seeded draws are reproducible and do not
 * depend on the engine or the device. Not thread-safe: one per generation.
 */
public final class Sampler {
    private final GenerationConfig config;
    private final SplittableRandom random;

    public Sampler(GenerationConfig config) {
        this.config = config;
        this.random = config.seed().isPresent() ? new SplittableRandom(config.seed().getAsLong()) : new SplittableRandom();
    }

    /** True when the logits must come to the host; greedy without a penalty is an argmax on the device. */
    public boolean needsLogits() {
        return !config.isGreedy() || config.repetitionPenalty() != 1f;
    }

    /**
     * Chooses a token. {@code logits} is modified in place.
     *
     * @param seen every token id of the prompt and of the output so far (for the repetition penalty)
     */
    public int next(float[] logits, int[] seen, int seenCount) {
        if (config.repetitionPenalty() != 1f) {
            applyRepetitionPenalty(logits, seen, seenCount, config.repetitionPenalty());
        }
        if (config.isGreedy()) {
            return argMax(logits);
        }
        int[] candidates = candidates(logits);
        double[] probs = softmax(logits, candidates, config.temperature());
        int kept = nucleus(probs, config.topP());
        double total = 0;
        for (int i = 0; i < kept; i++) {
            total += probs[i];
        }
        double draw = random.nextDouble() * total;
        double cumulative = 0;
        for (int i = 0; i < kept; i++) {
            cumulative += probs[i];
            if (draw < cumulative) {
                return candidates[i];
            }
        }
        return candidates[kept - 1];
    }

    /** CTRL penalty as HF applies it: each distinct seen token once, positive logits divided, negative multiplied. */
    static void applyRepetitionPenalty(float[] logits, int[] seen, int count, float penalty) {
        boolean[] done = new boolean[logits.length];
        for (int i = 0; i < count; i++) {
            int id = seen[i];
            if (id >= 0 && id < logits.length && !done[id]) {
                done[id] = true;
                logits[id] = logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty;
            }
        }
    }

    static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Token ids in descending logit order: all of them, or the top-k (ties broken by lower id). */
    private int[] candidates(float[] logits) {
        int n = logits.length;
        int k = config.topK() > 0 ? Math.min(config.topK(), n) : n;
        // Sort keys: the logit's order-preserving int bits in the high word, the inverted id in the low word.
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToIntBits(logits[i]);
            int ordered = bits >= 0 ? bits : bits ^ 0x7fffffff;
            keys[i] = ((long) ordered << 32) | (0xffffffffL & ~i);
        }
        Arrays.sort(keys);
        int[] ids = new int[k];
        for (int j = 0; j < k; j++) {
            ids[j] = ~(int) keys[n - 1 - j];
        }
        return ids;
    }

    private static double[] softmax(float[] logits, int[] ids, float temperature) {
        double max = logits[ids[0]] / (double) temperature;
        double[] p = new double[ids.length];
        double sum = 0;
        for (int i = 0; i < ids.length; i++) {
            p[i] = Math.exp(logits[ids[i]] / (double) temperature - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** How many of the (descending) probabilities form the smallest set reaching {@code topP}; at least one. */
    private static int nucleus(double[] probs, float topP) {
        if (topP >= 1f) {
            return probs.length;
        }
        double cumulative = 0;
        for (int i = 0; i < probs.length; i++) {
            cumulative += probs[i];
            if (cumulative >= topP) {
                return i + 1;
            }
        }
        return probs.length;
    }
}
