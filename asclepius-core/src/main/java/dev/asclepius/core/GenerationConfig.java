package dev.asclepius.core;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How to generate: token budget, sampling and stopping. Immutable; derive variants with
 * {@link #toBuilder()}. The default is greedy decoding with 400 new tokens (the authors' budget).
 *
 * @param maxNewTokens      most tokens to generate (> 0)
 * @param temperature       0 means greedy (argmax); otherwise logits are divided by it before sampling
 * @param topK              keep the K most likely tokens; 0 disables
 * @param topP              nucleus sampling: keep the smallest set whose probability reaches P; 1 disables
 * @param repetitionPenalty CTRL-style penalty on tokens already in prompt or output; 1 disables
 * @param seed              seed for reproducible sampling; empty means a fresh random seed per call
 * @param stopTokenIds      extra token ids that end generation (the tokenizer's EOS always does)
 * @param stopStrings       strings that end generation; the text is cut before the match
 * @param ignoreEos         keep generating past the EOS token (benchmarks that need a fixed length)
 * @param cacheScope        prefix-cache partition: cached keys and values of earlier prompts are reused only
 *                          between generations with the same scope, so that what one caller's result reports
 *                          (and how fast it runs) says nothing about another scope's prompts. "" (the default)
 *                          is the one shared scope. A server sets one per API key (plus the caller's
 *                          {@code cache_salt}); {@code RemoteModel} sends a non-empty scope as {@code cache_salt}.
 * @param numBeams          beam search width; 1 (the default) is plain decoding. With more, the beams run as rows of one
 *                          batch and the result is the best-scoring hypothesis, as HF transformers' {@code generate}
 *                          with {@code num_beams} (the Asclepius authors evaluated with 5): greedy beam search when
 *                          {@code temperature} is 0, beam sampling (HF {@code do_sample=True}) otherwise. Stop tokens
 *                          end hypotheses like the EOS token; stop strings are refused (a hypothesis's text is final
 *                          only when the search ends); a {@link TokenListener} is told the best hypothesis's text
 *                          after the search, token by token. See docs/generation.md.
 * @param lengthPenalty     beam search only: a finished hypothesis scores {@code sum of log-probabilities / length^lengthPenalty}
 *                          (length in tokens, prompt included, EOS excluded, as HF transformers up to 4.34); &gt; 0
 *                          favours longer answers, &lt; 0 shorter ones. Default 1
 * @param earlyStopping     beam search only: when to stop (HF {@code early_stopping}); default {@link EarlyStopping#HEURISTIC}
 */
public record GenerationConfig(
        int maxNewTokens,
        float temperature,
        int topK,
        float topP,
        float repetitionPenalty,
        OptionalLong seed,
        Set<Integer> stopTokenIds,
        List<String> stopStrings,
        boolean ignoreEos,
        String cacheScope,
        int numBeams,
        float lengthPenalty,
        EarlyStopping earlyStopping) {

    public static final int DEFAULT_MAX_NEW_TOKENS = 400;
    /** Widest beam search accepted: each beam is a row of the KV cache and of every decode step. */
    public static final int MAX_BEAMS = 64;

    public GenerationConfig {
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(cacheScope, "cacheScope (use \"\" for the shared scope)");
        Objects.requireNonNull(earlyStopping, "earlyStopping (default EarlyStopping.HEURISTIC)");
        stopTokenIds = Set.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        if (maxNewTokens <= 0) {
            throw new InvalidInputException("maxNewTokens must be > 0, got " + maxNewTokens);
        }
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
            throw new InvalidInputException("temperature must be a finite value >= 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) {
            throw new InvalidInputException("topK must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new InvalidInputException("topP must be in (0, 1] (1 = off), got " + topP);
        }
        if (!(repetitionPenalty > 0f) || Float.isInfinite(repetitionPenalty)) {
            throw new InvalidInputException("repetitionPenalty must be a finite value > 0 (1 = off), got " + repetitionPenalty);
        }
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new InvalidInputException("stop strings must not be empty");
            }
        }
        if (numBeams < 1 || numBeams > MAX_BEAMS) {
            throw new InvalidInputException("numBeams must be between 1 (no beam search) and " + MAX_BEAMS
                    + ", got " + numBeams);
        }
        if (!Float.isFinite(lengthPenalty)) {
            throw new InvalidInputException("lengthPenalty must be a finite number (1 = score per token), got " + lengthPenalty);
        }
        if (numBeams > 1 && !stopStrings.isEmpty()) {
            // A beam's text changes hypothesis at every step; cutting it at a string would need a stop rule HF
            // beam search does not define. Stop tokens work: they end a hypothesis like EOS.
            throw new InvalidInputException("stop strings cannot be combined with beam search (numBeams " + numBeams
                    + "): use stopTokenIds, or numBeams 1");
        }
    }

    /** Whether this is a beam search ({@code numBeams > 1}). */
    public boolean isBeamSearch() {
        return numBeams > 1;
    }

    /** Greedy decoding, 400 new tokens, no extra stops. */
    public static GenerationConfig greedy() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maxNewTokens(maxNewTokens).temperature(temperature).topK(topK).topP(topP)
                .repetitionPenalty(repetitionPenalty).seed(seed).stopTokenIds(stopTokenIds).stopStrings(stopStrings)
                .ignoreEos(ignoreEos).cacheScope(cacheScope).numBeams(numBeams).lengthPenalty(lengthPenalty)
                .earlyStopping(earlyStopping);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    /** Builder; every setting is optional. */
    public static final class Builder {
        private int maxNewTokens = DEFAULT_MAX_NEW_TOKENS;
        private float temperature = 0f;
        private int topK = 0;
        private float topP = 1f;
        private float repetitionPenalty = 1f;
        private OptionalLong seed = OptionalLong.empty();
        private Set<Integer> stopTokenIds = Set.of();
        private List<String> stopStrings = List.of();
        private boolean ignoreEos;
        private String cacheScope = "";
        private int numBeams = 1;
        private float lengthPenalty = 1f;
        private EarlyStopping earlyStopping = EarlyStopping.HEURISTIC;

        private Builder() {
        }

        public Builder maxNewTokens(int value) {
            this.maxNewTokens = value;
            return this;
        }

        public Builder temperature(float value) {
            this.temperature = value;
            return this;
        }

        public Builder topK(int value) {
            this.topK = value;
            return this;
        }

        public Builder topP(float value) {
            this.topP = value;
            return this;
        }

        public Builder repetitionPenalty(float value) {
            this.repetitionPenalty = value;
            return this;
        }

        public Builder seed(long value) {
            this.seed = OptionalLong.of(value);
            return this;
        }

        public Builder seed(OptionalLong value) {
            this.seed = Objects.requireNonNull(value);
            return this;
        }

        public Builder stopTokenIds(Set<Integer> value) {
            this.stopTokenIds = Set.copyOf(value);
            return this;
        }

        public Builder stopStrings(List<String> value) {
            this.stopStrings = List.copyOf(value);
            return this;
        }

        public Builder ignoreEos(boolean value) {
            this.ignoreEos = value;
            return this;
        }

        /** See {@link GenerationConfig#cacheScope()}; "" is the shared scope. */
        public Builder cacheScope(String value) {
            this.cacheScope = Objects.requireNonNull(value, "cacheScope (use \"\" for the shared scope)");
            return this;
        }

        /** Beam search width; 1 (default) is no beam search. See {@link GenerationConfig#numBeams()}. */
        public Builder numBeams(int value) {
            this.numBeams = value;
            return this;
        }

        /** Beam search length penalty exponent; default 1. See {@link GenerationConfig#lengthPenalty()}. */
        public Builder lengthPenalty(float value) {
            this.lengthPenalty = value;
            return this;
        }

        /** When beam search stops; default {@link EarlyStopping#HEURISTIC} (HF's {@code early_stopping=False}). */
        public Builder earlyStopping(EarlyStopping value) {
            this.earlyStopping = Objects.requireNonNull(value, "earlyStopping");
            return this;
        }

        public GenerationConfig build() {
            return new GenerationConfig(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed,
                    stopTokenIds, stopStrings, ignoreEos, cacheScope, numBeams, lengthPenalty, earlyStopping);
        }
    }
}
