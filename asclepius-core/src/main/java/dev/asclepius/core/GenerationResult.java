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
 * @param generatedTokens tokens generated: the length of {@code tokenIds} for a local model; for a remote
 *                        one the server's {@code usage.completion_tokens}, which holds even when the server
 *                        sends no token ids (then {@code tokenIds} is empty or a local re-encoding)
 */
public record GenerationResult(
        String text,
        List<Integer> tokenIds,
        FinishReason finishReason,
        int promptTokens,
        Duration prefillTime,
        Duration decodeTime,
        int decodeSteps,
        int cachedPromptTokens,
        int generatedTokens) {

    public GenerationResult {
        tokenIds = List.copyOf(tokenIds);
        if (generatedTokens < 0) {
            throw new IllegalArgumentException("generatedTokens must be >= 0, got " + generatedTokens);
        }
    }

    /** A result whose generated-token count is the length of {@code tokenIds}. */
    public GenerationResult(String text, List<Integer> tokenIds, FinishReason finishReason, int promptTokens,
                            Duration prefillTime, Duration decodeTime, int decodeSteps, int cachedPromptTokens) {
        this(text, tokenIds, finishReason, promptTokens, prefillTime, decodeTime, decodeSteps, cachedPromptTokens,
                tokenIds.size());
    }

    /** A result with no reused prompt tokens. */
    public GenerationResult(String text, List<Integer> tokenIds, FinishReason finishReason, int promptTokens,
                            Duration prefillTime, Duration decodeTime, int decodeSteps) {
        this(text, tokenIds, finishReason, promptTokens, prefillTime, decodeTime, decodeSteps, 0);
    }

    /** Decode throughput in tokens per second; 0 when there was no decode step. */
    public double decodeTokensPerSecond() {
        double s = decodeTime.toNanos() / 1e9;
        return decodeSteps == 0 || s == 0 ? 0 : decodeSteps / s;
    }
}
