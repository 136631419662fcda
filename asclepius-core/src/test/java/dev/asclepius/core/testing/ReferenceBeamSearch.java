package dev.asclepius.core.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A plain, slow, unbatched beam search written from HF transformers 4.31 ({@code GenerationMixin.beam_search},
 * {@code BeamSearchScorer.process / finalize}, {@code BeamHypotheses}) over {@link ReferenceLlama}: the oracle
 * the engine's beam search is checked against. It shares no code with the engine: every beam's next-token
 * logits come from the reference forward pass over the beam's whole sequence (memoised per sequence, since
 * the forward pass gives the logits after every prefix), candidates come from a full sort of all beams' scores,
 * and the finished pool mirrors HF's Python list line by line. Sequences are prompt plus generated tokens,
 * as HF's {@code input_ids}; lengths in the length penalty are theirs (prompt included, EOS excluded).
 */
public final class ReferenceBeamSearch {
    /** A finished hypothesis: generated tokens (the end token appended when one ended it) and HF's score. */
    public record Hypothesis(List<Integer> tokens, double score) {
    }

    private final ReferenceLlama model;
    private final Map<List<Integer>, double[]> logitsAfter = new HashMap<>();

    public ReferenceBeamSearch(ReferenceLlama model) {
        this.model = model;
    }

    /** The reference logits for the token after {@code sequence}. */
    public double[] nextLogits(List<Integer> sequence) {
        double[] cached = logitsAfter.get(sequence);
        if (cached != null) {
            return cached;
        }
        int[] ids = sequence.stream().mapToInt(Integer::intValue).toArray();
        float[][] all = model.forward(ids);
        for (int t = 0; t < ids.length; t++) {
            double[] row = new double[all[t].length];
            for (int v = 0; v < row.length; v++) {
                row[v] = all[t][v];
            }
            logitsAfter.put(List.copyOf(sequence.subList(0, t + 1)), row);
        }
        return logitsAfter.get(sequence);
    }

    /** log_softmax of the next-token logits after {@code sequence}. */
    public double[] nextLogProbs(List<Integer> sequence) {
        double[] logits = nextLogits(sequence);
        double max = Arrays.stream(logits).max().orElseThrow();
        double sum = 0;
        for (double l : logits) {
            sum += Math.exp(l - max);
        }
        double[] out = new double[logits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = logits[i] - max - Math.log(sum);
        }
        return out;
    }

    /**
     * @param earlyStopping HF's value: "true", "false" or "never"
     * @return the kept hypotheses, best first
     */
    public List<Hypothesis> search(int[] prompt, int numBeams, double lengthPenalty, String earlyStopping,
                                   int maxNewTokens, Set<Integer> eosTokenIds) {
        int maxLength = prompt.length + maxNewTokens;
        List<List<Integer>> inputIds = new ArrayList<>();
        double[] beamScores = new double[numBeams];
        for (int b = 0; b < numBeams; b++) {
            List<Integer> seq = new ArrayList<>();
            for (int id : prompt) {
                seq.add(id);
            }
            inputIds.add(seq);
            beamScores[b] = b == 0 ? 0 : -1e9;
        }
        Pool pool = new Pool(numBeams, lengthPenalty, earlyStopping, maxLength);
        boolean done = false;
        while (true) {
            int curLen = inputIds.get(0).size();
            List<double[]> all = new ArrayList<>();   // {score, beam, token}
            for (int b = 0; b < numBeams; b++) {
                double[] logProbs = nextLogProbs(inputIds.get(b));
                for (int v = 0; v < logProbs.length; v++) {
                    all.add(new double[] {logProbs[v] + beamScores[b], b, v});
                }
            }
            all.sort(Comparator.<double[]>comparingDouble(c -> -c[0]).thenComparingDouble(c -> c[1])
                    .thenComparingDouble(c -> c[2]));
            int take = Math.max(2, 1 + eosTokenIds.size()) * numBeams;
            List<double[]> next = all.subList(0, take);
            // BeamSearchScorer.process
            List<List<Integer>> nextIds = new ArrayList<>();
            double[] nextScores = new double[numBeams];
            int beamIdx = 0;
            for (int rank = 0; rank < next.size(); rank++) {
                double[] c = next.get(rank);
                int beam = (int) c[1];
                int token = (int) c[2];
                if (eosTokenIds.contains(token)) {
                    if (rank >= numBeams) {
                        continue;
                    }
                    List<Integer> hyp = new ArrayList<>(inputIds.get(beam));
                    pool.add(hyp, c[0], token);
                } else {
                    List<Integer> seq = new ArrayList<>(inputIds.get(beam));
                    seq.add(token);
                    nextIds.add(seq);
                    nextScores[beamIdx] = c[0];
                    beamIdx++;
                }
                if (beamIdx == numBeams) {
                    break;
                }
            }
            done = done || pool.isDone(next.get(0)[0], curLen);
            inputIds = nextIds;
            beamScores = nextScores;
            if (done || inputIds.get(0).size() >= maxLength) {
                break;
            }
        }
        // BeamSearchScorer.finalize
        if (!done) {
            for (int b = 0; b < numBeams; b++) {
                pool.add(inputIds.get(b), beamScores[b], -1);
            }
        }
        List<Entry> sorted = new ArrayList<>(pool.beams);
        sorted.sort(Comparator.comparingDouble(e -> e.score));   // Python's sorted: stable
        List<Hypothesis> out = new ArrayList<>();
        while (!sorted.isEmpty()) {
            Entry e = sorted.remove(sorted.size() - 1);           // pop()
            List<Integer> generated = new ArrayList<>(e.sequence.subList(prompt.length, e.sequence.size()));
            if (e.eos >= 0) {
                generated.add(e.eos);
            }
            out.add(new Hypothesis(generated, e.score));
        }
        return out;
    }

    private record Entry(double score, List<Integer> sequence, int eos) {
    }

    /** HF's BeamHypotheses, as a Python list of (score, hyp). */
    private static final class Pool {
        final int numBeams;
        final double lengthPenalty;
        final String earlyStopping;
        final int maxLength;
        final List<Entry> beams = new ArrayList<>();
        double worstScore = 1e9;

        Pool(int numBeams, double lengthPenalty, String earlyStopping, int maxLength) {
            this.numBeams = numBeams;
            this.lengthPenalty = lengthPenalty;
            this.earlyStopping = earlyStopping;
            this.maxLength = maxLength;
        }

        void add(List<Integer> hyp, double sumLogprobs, int eos) {
            double score = sumLogprobs / Math.pow(hyp.size(), lengthPenalty);
            if (beams.size() < numBeams || score > worstScore) {
                beams.add(new Entry(score, hyp, eos));
                if (beams.size() > numBeams) {
                    List<double[]> sortedNextScores = new ArrayList<>();   // (s, idx)
                    for (int idx = 0; idx < beams.size(); idx++) {
                        sortedNextScores.add(new double[] {beams.get(idx).score, idx});
                    }
                    sortedNextScores.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
                    beams.remove((int) sortedNextScores.get(0)[1]);
                    worstScore = sortedNextScores.get(1)[0];
                } else {
                    worstScore = Math.min(score, worstScore);
                }
            }
        }

        boolean isDone(double bestSumLogprobs, int curLen) {
            if (beams.size() < numBeams) {
                return false;
            }
            switch (earlyStopping) {
                case "true":
                    return true;
                case "false":
                    return worstScore >= bestSumLogprobs / Math.pow(curLen, lengthPenalty);
                case "never":
                    double highest = lengthPenalty > 0.0
                            ? bestSumLogprobs / Math.pow(maxLength, lengthPenalty)
                            : bestSumLogprobs / Math.pow(curLen, lengthPenalty);
                    return worstScore >= highest;
                default:
                    throw new IllegalArgumentException(earlyStopping);
            }
        }
    }
}
