package dev.asclepius.core.internal.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asclepius.core.BeamHypothesis;
import dev.asclepius.core.BeamSearchResult;
import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.internal.model.KvCache;
import dev.asclepius.core.internal.model.LlamaModel;
import dev.asclepius.core.internal.tokenizer.StreamingDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Beam search (and beam sampling) for one prompt, as HF transformers 4.31's {@code generate(num_beams=N)}:
 * the N beams are the rows of one batch through the model's forward pass; after each step the host picks the
 * best continuations ({@link BeamCandidates}), a continuation ending in an end token joins the finished pool
 * ({@link BeamHypotheses}), and the KV cache rows are reordered so that row j holds the beam that continuation
 * j extends. The prompt is computed once and copied into every row; being identical in all rows, it is read
 * as a shared prefix by every step.
 *
 * <p>The caller holds the model's engine lock for the whole search (the scheduler runs it as one task on the
 * generation thread); a close of the model is seen at the next step.
 */
public final class BeamSearch {
    /** HF's running score of beams 1..N-1 before the first step: only beam 0's continuations count then. */
    private static final double UNUSED_BEAM = -1e9;

    private final LlamaModel model;
    private final TextTokenizer tokenizer;
    private final BooleanSupplier closing;

    public BeamSearch(LlamaModel model, TextTokenizer tokenizer, BooleanSupplier closing) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.closing = closing;
    }

    /**
     * Runs the search for {@code prompt} (already validated) and tells {@code listener} the best hypothesis's
     * text when it ends, token by token.
     */
    public BeamSearchResult run(int[] prompt, GenerationConfig config, TokenListener listener) {
        try {
            return search(prompt, config, listener);
        } catch (ai.djl.engine.EngineException e) {
            throw new dev.asclepius.core.EngineException("PyTorch failed during beam search: " + e.getMessage(), e);
        }
    }

    private BeamSearchResult search(int[] prompt, GenerationConfig config, TokenListener listener) {
        long started = System.nanoTime();
        int beams = config.numBeams();
        Set<Integer> ends = endTokens(config);
        int maxLength = Math.min(prompt.length + config.maxNewTokens(), model.config().contextLength());
        // HF takes 2 candidates per beam, one more per extra end token, so that at least N do not end.
        int candidates = Math.max(2, 1 + ends.size()) * beams;
        BeamHypotheses finished = new BeamHypotheses(beams, config.lengthPenalty(), config.earlyStopping(), maxLength);
        BeamCandidates chooser = new BeamCandidates(config);
        int[][] generated = new int[beams][0];
        double[] beamScores = new double[beams];
        Arrays.fill(beamScores, 1, beams, UNUSED_BEAM);
        int steps = 0;
        long firstToken = 0;
        boolean done = false;
        try (KvCache cache = open(() -> model.newCache(1, maxLength))) {
            float[][] logits = prefill(prompt, cache, beams);
            while (true) {
                int length = prompt.length + generated[0].length;
                double[][] scores = chooser.scores(logits, beamScores, seen(prompt, generated));
                BeamCandidates.Candidate[] next = chooser.choose(scores, candidates);
                int[][] nextGenerated = new int[beams][];
                long[] from = new long[beams];
                int filled = 0;
                for (int rank = 0; rank < next.length && filled < beams; rank++) {
                    BeamCandidates.Candidate c = next[rank];
                    if (ends.contains(c.token())) {
                        if (rank < beams) {   // HF: an end token outside the top N does not finish a hypothesis
                            finished.add(generated[c.beam()], c.token(), c.score(), length);
                        }
                        continue;
                    }
                    beamScores[filled] = c.score();
                    nextGenerated[filled] = append(generated[c.beam()], c.token());
                    from[filled++] = c.beam();
                }
                done = finished.isDone(next[0].score(), length);
                generated = nextGenerated;
                if (firstToken == 0) {
                    firstToken = System.nanoTime();
                }
                if (done || prompt.length + generated[0].length >= maxLength) {
                    break;
                }
                logits = step(cache, from, generated, length, prompt.length);
                steps++;
            }
        }
        if (!done) {   // HF's finalize: the running beams compete with the finished ones
            for (int b = 0; b < beams; b++) {
                finished.add(generated[b], -1, beamScores[b], prompt.length + generated[b].length);
            }
        }
        long now = System.nanoTime();
        return result(finished.bestFirst(), prompt, config, listener, Duration.ofNanos(firstToken - started),
                Duration.ofNanos(now - firstToken), steps);
    }

    /** The tokenizer's EOS (unless ignored) and the stop tokens: any of them ends a hypothesis. */
    private Set<Integer> endTokens(GenerationConfig config) {
        Set<Integer> ends = new LinkedHashSet<>();
        if (!config.ignoreEos()) {
            ends.add(tokenizer.eosId());
        }
        ends.addAll(config.stopTokenIds());
        return ends;
    }

    /** Runs the prompt as one row, copies its keys and values into every beam's row; returns each row's logits. */
    private float[][] prefill(int[] prompt, KvCache cache, int beams) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            ensureOpen();
            float[] logits = model.forward(prompt, 0, cache, false).toType(DataType.FLOAT32, false).toFloatArray();
            cache.reorderRows(new long[beams]);   // row 0, N times
            float[][] rows = new float[beams][];
            Arrays.fill(rows, logits);
            return rows;
        }
    }

    /**
     * Reorders the cache so that row j continues beam {@code from[j]}, runs every beam's newest token at slot
     * {@code slot} and returns the logits per beam. The first {@code promptLength} slots are the same in every
     * row, so the forward pass reads them once for all beams.
     */
    private float[][] step(KvCache cache, long[] from, int[][] generated, int slot, int promptLength) {
        NDManager manager = model.manager();
        int beams = generated.length;
        int[] ids = new int[beams];
        long[] positions = new long[beams];
        for (int b = 0; b < beams; b++) {
            ids[b] = generated[b][generated[b].length - 1];
            positions[b] = slot;
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            ensureOpen();
            cache.reorderRows(from);
            NDArray mask = manager.create(new float[beams * cache.capacity()], new Shape(beams, cache.capacity()));
            float[] all = model.forward(ids, beams, slot, manager.create(positions, new Shape(beams, 1)), mask, cache,
                    promptLength, false).toType(DataType.FLOAT32, false).toFloatArray();
            int vocab = all.length / beams;
            float[][] rows = new float[beams][];
            for (int b = 0; b < beams; b++) {
                rows[b] = Arrays.copyOfRange(all, b * vocab, (b + 1) * vocab);
            }
            return rows;
        }
    }

    private BeamSearchResult result(List<BeamHypotheses.Finished> best, int[] prompt, GenerationConfig config,
                                    TokenListener listener, Duration prefill, Duration decode, int steps) {
        List<BeamHypothesis> hypotheses = new ArrayList<>();
        for (BeamHypotheses.Finished f : best) {
            List<Integer> ids = new ArrayList<>();
            Arrays.stream(f.generated()).forEach(ids::add);
            if (f.endToken() >= 0) {
                ids.add(f.endToken());
            }
            hypotheses.add(new BeamHypothesis(tokenizer.decode(f.generated()), ids, f.score(), f.logProbability(),
                    reason(f, prompt, config)));
        }
        BeamHypotheses.Finished top = best.get(0);
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        for (int id : top.generated()) {
            listener.onToken(decoder.push(id), id);
        }
        String tail = decoder.flush();
        if (!tail.isEmpty()) {
            listener.onToken(tail, top.generated()[top.generated().length - 1]);
        }
        BeamHypothesis first = hypotheses.get(0);
        GenerationResult result = new GenerationResult(decoder.text(), first.tokenIds(), first.finishReason(),
                prompt.length, prefill, decode, steps, 0);
        return new BeamSearchResult(result, hypotheses);
    }

    private FinishReason reason(BeamHypotheses.Finished f, int[] prompt, GenerationConfig config) {
        if (f.endToken() >= 0) {
            return f.endToken() == tokenizer.eosId() && !config.ignoreEos() ? FinishReason.EOS : FinishReason.STOP_TOKEN;
        }
        return f.generated().length >= config.maxNewTokens() ? FinishReason.MAX_TOKENS : FinishReason.CONTEXT_FULL;
    }

    /** Row b: the prompt and beam b's tokens, for the repetition penalty. */
    private static int[][] seen(int[] prompt, int[][] generated) {
        int[][] seen = new int[generated.length][];
        for (int b = 0; b < generated.length; b++) {
            seen[b] = Arrays.copyOf(prompt, prompt.length + generated[b].length);
            System.arraycopy(generated[b], 0, seen[b], prompt.length, generated[b].length);
        }
        return seen;
    }

    private static int[] append(int[] tokens, int token) {
        int[] out = Arrays.copyOf(tokens, tokens.length + 1);
        out[tokens.length] = token;
        return out;
    }

    private <T> T open(java.util.function.Supplier<T> resource) {
        ensureOpen();
        return resource.get();
    }

    private void ensureOpen() {
        if (closing.getAsBoolean()) {
            throw new ModelClosedException("The model was closed during generation; the partial output was discarded.");
        }
    }
}
