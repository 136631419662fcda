package dev.asclepius.core;

import java.util.List;
import java.util.Objects;

/**
 * One finished hypothesis of a beam search.
 *
 * @param text           the generated text (the end token not included)
 * @param tokenIds       the generated token ids, including the EOS or stop token that ended the hypothesis
 * @param score          HF's beam score: {@code logProbability / length^lengthPenalty}, length in tokens with the
 *                       prompt and without the end token (beam sampling: the temperature-scaled score, as HF)
 * @param logProbability the summed log-probabilities of the generated tokens (the end token's included)
 * @param finishReason   EOS or STOP_TOKEN when an end token ended it, MAX_TOKENS or CONTEXT_FULL when the budget did
 */
public record BeamHypothesis(String text, List<Integer> tokenIds, double score, double logProbability,
                             FinishReason finishReason) {

    public BeamHypothesis {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        tokenIds = List.copyOf(tokenIds);
    }
}
