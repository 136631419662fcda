package dev.asclepius.core;

import java.time.Duration;
import java.util.List;

/**
 * What one generation produced, with everything research code needs to account for it.
 *
 * @param text            the generated text (stop string cut off, EOS not included)
 * @param tokenIds        the generated token ids (including a final stop token if one ended generation)
 * @param finishReason    why generation stopped
 * @param promptTokens    tokens in the prompt (BOS included)
 * @param prefillTime     wall time of the prompt's forward pass (time to first token)
 * @param decodeTime      wall time of all later decode steps
 * @param decodeSteps     forward passes after the prefill
 * @param cachedPromptTokens prompt tokens whose keys and values were reused from an earlier generation (the
 *                        local model's prefix cache) instead of computed; 0 when none were
 */
public record GenerationResult(
        String text,
        List<Integer> tokenIds,
        FinishReason finishReason,
        int promptTokens,
        Duration prefillTime,
        Duration decodeTime,
        int decodeSteps,
        int cachedPromptTokens) {

    public GenerationResult {
        tokenIds = List.copyOf(tokenIds);
    }

    /** A result with no reused prompt tokens. */
    public GenerationResult(String text, List<Integer> tokenIds, FinishReason finishReason, int promptTokens,
                            Duration prefillTime, Duration decodeTime, int decodeSteps) {
        this(text, tokenIds, finishReason, promptTokens, prefillTime, decodeTime, decodeSteps, 0);
    }

    /** Tokens generated (the length of {@link #tokenIds()}). */
    public int generatedTokens() {
        return tokenIds.size();
    }

    /** Decode throughput in tokens per second; 0 when there was no decode step. */
    public double decodeTokensPerSecond() {
        double s = decodeTime.toNanos() / 1e9;
        return decodeSteps == 0 || s == 0 ? 0 : decodeSteps / s;
    }
}
