package dev.asclepius.core;

import java.util.List;
import java.util.Objects;

/**
 * What a beam search produced: the best hypothesis as an ordinary result (what {@code generate} returns for
 * {@code numBeams > 1}) and every finished hypothesis the search kept ({@code numBeams} of them), best first.
 *
 * @param best       the best-scoring hypothesis; {@code best.tokenIds()} equals {@code hypotheses.get(0).tokenIds()}
 * @param hypotheses the {@code numBeams} kept hypotheses in descending score order
 */
public record BeamSearchResult(GenerationResult best, List<BeamHypothesis> hypotheses) {

    public BeamSearchResult {
        Objects.requireNonNull(best, "best");
        hypotheses = List.copyOf(hypotheses);
        if (hypotheses.isEmpty()) {
            throw new IllegalArgumentException("a beam search keeps at least one hypothesis");
        }
    }
}
