package dev.asclepius.core.internal.generate;

import dev.asclepius.core.GenerationConfig;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One beam search step on the host: each beam's log-probabilities plus its running score, and the
 * candidate continuations drawn from them, as HF transformers' {@code beam_search} (the top candidates) and
 * {@code beam_sample} (candidates sampled from the temperature / top-k / top-p filtered scores) choose them.
 * Not thread-safe: one per search.
 */
final class BeamCandidates {
    /** A continuation: beam {@code beam} followed by {@code token}, with the beam's new running score. */
    record Candidate(int beam, int token, double score) {
    }

    private final GenerationConfig config;
    private final SplittableRandom random;

    BeamCandidates(GenerationConfig config) {
        this.config = config;
        this.random = config.seed().isPresent() ? new SplittableRandom(config.seed().getAsLong()) : new SplittableRandom();
    }

    /**
     * Row b of the result: {@code log_softmax(logits[b])}, repetition-penalised over {@code seen[b]} (HF applies
     * its logits processors to the log-probabilities in beam search), plus {@code beamScores[b]}.
     */
    double[][] scores(float[][] logits, double[] beamScores, int[][] seen) {
        double[][] scores = new double[logits.length][];
        for (int b = 0; b < logits.length; b++) {
            double[] row = logSoftmax(logits[b]);
            if (config.repetitionPenalty() != 1f) {
                penalise(row, seen[b], config.repetitionPenalty());
            }
            for (int v = 0; v < row.length; v++) {
                row[v] += beamScores[b];
            }
            scores[b] = row;
        }
        return scores;
    }

    /**
     * The {@code count} candidates of this step, best score first: the top ones for greedy beam search, or
     * {@code count} distinct ones drawn from the filtered distribution when sampling (their scores then are
     * the filtered ones, as HF's). Overwrites {@code scores} when sampling.
     */
    Candidate[] choose(double[][] scores, int count) {
        if (config.isGreedy()) {
            return top(scores, count);
        }
        warp(scores);
        return sample(scores, count);
    }

    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double logSum = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - logSum;
        }
        return out;
    }

    /** HF's repetition penalty: each seen token's score multiplied by the penalty when negative, else divided. */
    private static void penalise(double[] row, int[] seen, float penalty) {
        boolean[] done = new boolean[row.length];
        for (int id : seen) {
            if (id >= 0 && id < row.length && !done[id]) {
                done[id] = true;
                row[id] = row[id] < 0 ? row[id] * penalty : row[id] / penalty;
            }
        }
    }

    /** The {@code count} highest scores over all beams, best first; equal scores by lower beam, then token. */
    private static Candidate[] top(double[][] scores, int count) {
        int vocab = scores[0].length;
        int n = Math.min(count, scores.length * vocab);
        double[] bestScores = new double[n];
        int[] bestFlat = new int[n];
        Arrays.fill(bestScores, Double.NEGATIVE_INFINITY);
        Arrays.fill(bestFlat, -1);
        for (int b = 0; b < scores.length; b++) {
            for (int v = 0; v < vocab; v++) {
                double s = scores[b][v];
                if (bestFlat[n - 1] >= 0 && !(s > bestScores[n - 1])) {
                    continue;   // most entries: not better than the current n-th
                }
                int i = n - 1;
                while (i > 0 && (bestFlat[i - 1] < 0 || s > bestScores[i - 1])) {
                    bestScores[i] = bestScores[i - 1];
                    bestFlat[i] = bestFlat[i - 1];
                    i--;
                }
                bestScores[i] = s;
                bestFlat[i] = b * vocab + v;
            }
        }
        Candidate[] out = new Candidate[n];
        for (int i = 0; i < n; i++) {
            out[i] = new Candidate(bestFlat[i] / vocab, bestFlat[i] % vocab, bestScores[i]);
        }
        return out;
    }

    /**
     * HF's warpers on each beam's running scores, in HF's order: temperature, top-k, top-p, each keeping at
     * least 2 tokens per beam as HF does for beams (filtered entries become -infinity). HF 4.31 applies them
     * after adding the running score, so a temperature scales the running score too.
     */
    private void warp(double[][] scores) {
        for (double[] row : scores) {
            if (config.temperature() != 1f) {
                for (int v = 0; v < row.length; v++) {
                    row[v] /= config.temperature();
                }
            }
            if (config.topK() > 0) {
                int k = Math.min(Math.max(config.topK(), 2), row.length);
                double[] sorted = row.clone();
                Arrays.sort(sorted);
                double kth = sorted[row.length - k];
                for (int v = 0; v < row.length; v++) {
                    if (row[v] < kth) {
                        row[v] = Double.NEGATIVE_INFINITY;
                    }
                }
            }
            if (config.topP() < 1f) {
                nucleus(row, config.topP());
            }
        }
    }

    /** HF's top-p: drops the tokens whose ascending cumulative probability stays within 1 - topP, keeping 2. */
    private static void nucleus(double[] row, float topP) {
        Integer[] order = new Integer[row.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(row[a], row[b]));
        double max = row[order[row.length - 1]];
        double sum = 0;
        for (double s : row) {
            sum += Math.exp(s - max);
        }
        double cumulative = 0;
        for (int i = 0; i < row.length - 2; i++) {
            cumulative += Math.exp(row[order[i]] - max) / sum;
            if (cumulative > 1 - topP) {
                break;
            }
            row[order[i]] = Double.NEGATIVE_INFINITY;
        }
    }

    /**
     * Draws {@code count} distinct (beam, token) entries, each with probability proportional to
     * {@code exp(score)} over all beams (HF: softmax over the flattened scores, multinomial without
     * replacement); when fewer than {@code count} entries have a probability, the best-scoring rest fill up.
     * Returns them best score first.
     */
    private Candidate[] sample(double[][] scores, int count) {
        int beams = scores.length;
        int vocab = scores[0].length;
        int n = Math.min(count, beams * vocab);
        double max = Double.NEGATIVE_INFINITY;
        for (double[] row : scores) {
            for (double s : row) {
                max = Math.max(max, s);
            }
        }
        double[] weight = new double[beams * vocab];
        for (int b = 0; b < beams; b++) {
            for (int v = 0; v < vocab; v++) {
                weight[b * vocab + v] = Math.exp(scores[b][v] - max);   // 0 for filtered (-inf) entries
            }
        }
        boolean[] taken = new boolean[weight.length];
        Candidate[] out = new Candidate[n];
        for (int i = 0; i < n; i++) {
            double total = 0;
            for (double w : weight) {
                total += w;
            }
            int pick = -1;
            if (total > 0) {
                double draw = random.nextDouble() * total;
                double cumulative = 0;
                for (int f = 0; f < weight.length; f++) {
                    cumulative += weight[f];
                    if (weight[f] > 0 && draw < cumulative) {
                        pick = f;
                        break;
                    }
                }
                if (pick < 0) {   // rounding left the draw past the last positive weight
                    for (int f = weight.length - 1; pick < 0; f--) {
                        pick = weight[f] > 0 ? f : -1;
                    }
                }
            } else {
                for (int f = 0; f < weight.length; f++) {
                    if (!taken[f] && (pick < 0 || scores[f / vocab][f % vocab] > scores[pick / vocab][pick % vocab])) {
                        pick = f;
                    }
                }
            }
            taken[pick] = true;
            weight[pick] = 0;
            out[i] = new Candidate(pick / vocab, pick % vocab, scores[pick / vocab][pick % vocab]);
        }
        Arrays.sort(out, (a, b) -> Double.compare(b.score(), a.score()));
        return out;
    }
}
