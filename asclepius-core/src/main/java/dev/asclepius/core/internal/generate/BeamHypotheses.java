package dev.asclepius.core.internal.generate;

import dev.asclepius.core.EarlyStopping;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The finished hypotheses of one beam search: at most {@code numBeams}, the worst dropped when a better one
 * comes, and the rule for when the search may stop. Follows HF transformers' {@code BeamHypotheses} as of
 * 4.31, the version of the Asclepius authors' evaluation (2023): a hypothesis's length counts the prompt and
 * not its end token. (HF 4.35 and later count only generated tokens; the ranking differs only through
 * {@code lengthPenalty}.)
 */
final class BeamHypotheses {
    /**
     * A finished hypothesis: its generated tokens without the end token, the end token (-1 when the token
     * budget ended it), its summed log-probabilities and its length-penalised score.
     */
    record Finished(int[] generated, int endToken, double logProbability, double score) {
    }

    private final int numBeams;
    private final double lengthPenalty;
    private final EarlyStopping earlyStopping;
    private final int maxLength;
    private final List<Finished> kept = new ArrayList<>();
    private double worstScore = 1e9;   // HF's starting value: any first hypothesis replaces it

    /** @param maxLength prompt plus the most tokens the search may generate (for {@link EarlyStopping#NEVER}) */
    BeamHypotheses(int numBeams, double lengthPenalty, EarlyStopping earlyStopping, int maxLength) {
        this.numBeams = numBeams;
        this.lengthPenalty = lengthPenalty;
        this.earlyStopping = earlyStopping;
        this.maxLength = maxLength;
    }

    int size() {
        return kept.size();
    }

    /**
     * Offers a hypothesis of {@code length} tokens (prompt included, end token excluded).
     */
    void add(int[] generated, int endToken, double logProbability, int length) {
        double score = logProbability / Math.pow(length, lengthPenalty);
        if (kept.size() < numBeams || score > worstScore) {
            kept.add(new Finished(generated, endToken, logProbability, score));
            if (kept.size() > numBeams) {
                // HF sorts (score, index) pairs and drops the first: the lowest score, the earliest on a tie.
                int drop = 0;
                for (int i = 1; i < kept.size(); i++) {
                    if (kept.get(i).score() < kept.get(drop).score()) {
                        drop = i;
                    }
                }
                kept.remove(drop);
                worstScore = kept.stream().mapToDouble(Finished::score).min().orElseThrow();
            } else {
                worstScore = Math.min(score, worstScore);
            }
        }
    }

    /**
     * Whether no running beam can still enter the kept set.
     *
     * @param bestLogProbability the best candidate score of this step (a running beam's summed log-probabilities)
     * @param currentLength      prompt plus tokens generated before this step's token
     */
    boolean isDone(double bestLogProbability, int currentLength) {
        if (kept.size() < numBeams) {
            return false;
        }
        return switch (earlyStopping) {
            case WHEN_FULL -> true;
            case HEURISTIC -> worstScore >= bestLogProbability / Math.pow(currentLength, lengthPenalty);
            // With a positive penalty the best reachable score is at the longest length (log-probabilities are
            // negative, a larger divisor brings them closer to 0); otherwise it is now.
            case NEVER -> worstScore >= bestLogProbability
                    / Math.pow(lengthPenalty > 0 ? maxLength : currentLength, lengthPenalty);
        };
    }

    /**
     * The kept hypotheses, best first. On equal scores the later-added comes first, as HF's stable sort
     * followed by {@code pop()} returns it.
     */
    List<Finished> bestFirst() {
        List<Finished> sorted = new ArrayList<>(kept);
        sorted.sort(Comparator.comparingDouble(Finished::score));
        java.util.Collections.reverse(sorted);
        return sorted;
    }
}
