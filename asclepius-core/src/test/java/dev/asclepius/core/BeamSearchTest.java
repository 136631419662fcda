package dev.asclepius.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.internal.checkpoint.Checkpoint;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.core.testing.ReferenceBeamSearch;
import dev.asclepius.core.testing.ReferenceConfig;
import dev.asclepius.core.testing.ReferenceLlama;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Beam search through the public API against {@link ReferenceBeamSearch} (test tree: HF's algorithm written
 * plainly over the scalar reference forward pass) on a small random-weight model.
 */
class BeamSearchTest {
    /** Vocabulary 256 keeps the reference forward pass fast; the LLaMA tokenizer's first 256 ids are bytes. */
    private static final RandomModelSpec SPEC =
            new RandomModelSpec("llama", 256, 64, 160, 2, 4, 2, 64, false, StorageType.F32, 31, 0);
    private static final int[] PROMPT = {1, 17, 200, 3, 45, 99, 120, 7};
    private static final int NEW_TOKENS = 10;

    @TempDir
    static Path dir;
    static LocalModel model;
    static ReferenceBeamSearch reference;
    /**
     * Stop tokens the model likes here (the greedy answer's 4th and 6th), so that hypotheses end at different
     * steps and the pool fills before the budget: that is where widths, penalties and stopping rules differ.
     */
    static Set<Integer> stops;

    @BeforeAll
    static void load() {
        RandomModelWriter.write(dir, SPEC);
        // One thread: on a loaded machine two OpenMP threads of such tiny ops wait on each other (10x slower).
        model = LocalModel.builder(dir).threads(1).build();
        reference = new ReferenceBeamSearch(referenceModel());
        List<Integer> greedy = model.generate(PROMPT, plain().build()).tokenIds();
        stops = Set.of(greedy.get(3), greedy.get(5));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationConfig.Builder plain() {
        return GenerationConfig.builder().maxNewTokens(NEW_TOKENS).ignoreEos(true);
    }

    private static GenerationConfig.Builder beams(int n, float lengthPenalty, EarlyStopping early) {
        return GenerationConfig.builder().maxNewTokens(NEW_TOKENS).numBeams(n).lengthPenalty(lengthPenalty)
                .earlyStopping(early).stopTokenIds(stops);
    }

    @Test
    void oneBeamIsExactlyGreedyDecoding() {
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(12).build();
        GenerationResult r = model.generate(PROMPT, greedy.toBuilder().numBeams(1).build());
        assertThat(r.tokenIds()).isEqualTo(model.generate(PROMPT, greedy).tokenIds());
        assertThat(r.tokenIds()).hasSize(12);
    }

    @Test
    void hypothesesAndScoresMatchTheReferenceForEveryWidthPenaltyAndStoppingRule() {
        Set<Integer> ends = new HashSet<>(stops);
        ends.add(model.tokenizer().orElseThrow().eosId());   // HF's eos_token_id list: EOS and the stop tokens
        Set<FinishReason> reasons = EnumSet.noneOf(FinishReason.class);
        Set<List<Integer>> bestPerRule = new HashSet<>();
        int rulesDiffer = 0;
        int cases = 0;
        for (int n = 2; n <= 5; n++) {
            for (float penalty : new float[] {0.5f, 1f, 2f}) {
                List<List<List<Integer>>> pools = new ArrayList<>();
                for (EarlyStopping early : EarlyStopping.values()) {
                    BeamSearchResult actual = model.beamSearch(PROMPT, beams(n, penalty, early).build());
                    List<ReferenceBeamSearch.Hypothesis> expected = reference.search(PROMPT, n, penalty,
                            hf(early), NEW_TOKENS, ends);
                    String label = n + " beams, length penalty " + penalty + ", early stopping " + early;
                    assertThat(actual.hypotheses()).as(label).hasSize(expected.size()).hasSize(n);
                    for (int i = 0; i < n; i++) {
                        BeamHypothesis h = actual.hypotheses().get(i);
                        assertThat(h.tokenIds()).as(label + ", hypothesis " + i).isEqualTo(expected.get(i).tokens());
                        assertThat(h.score()).as(label + ", score " + i).isCloseTo(expected.get(i).score(),
                                org.assertj.core.data.Offset.offset(1e-4));
                        reasons.add(h.finishReason());
                    }
                    assertThat(actual.best().tokenIds()).isEqualTo(expected.get(0).tokens());
                    pools.add(actual.hypotheses().stream().map(BeamHypothesis::tokenIds).toList());
                    bestPerRule.add(actual.best().tokenIds());
                    cases++;
                }
                rulesDiffer += new HashSet<>(pools).size() > 1 ? 1 : 0;
            }
        }
        assertThat(cases).isEqualTo(36);
        // The cases exercise what they claim: hypotheses ended by a stop token and by the budget, different
        // best answers, and the three stopping rules keeping different pools for some width and penalty.
        assertThat(reasons).contains(FinishReason.STOP_TOKEN, FinishReason.MAX_TOKENS);
        assertThat(bestPerRule).hasSizeGreaterThan(2);
        assertThat(rulesDiffer).isGreaterThanOrEqualTo(3);
    }

    @Test
    void anEndTokenRankedBelowTheBeamWidthDoesNotFinishAHypothesis() {
        // The likeliest and the 3rd likeliest first tokens as stop tokens, 2 beams: the first candidate ends a
        // hypothesis, so the candidates are read past rank 1, and the one at rank 2 is skipped as HF skips an
        // end token outside the top N (neither a hypothesis nor a beam).
        List<Integer> prompt = new ArrayList<>();
        for (int id : PROMPT) {
            prompt.add(id);
        }
        double[] first = reference.nextLogProbs(prompt);
        List<Integer> byProbability = new ArrayList<>();
        for (int v = 0; v < first.length; v++) {
            byProbability.add(v);
        }
        byProbability.sort((a, b) -> Double.compare(first[b], first[a]));
        Set<Integer> lowStops = Set.of(byProbability.get(0), byProbability.get(2));
        Set<Integer> ends = new HashSet<>(lowStops);
        ends.add(model.tokenizer().orElseThrow().eosId());
        for (EarlyStopping early : EarlyStopping.values()) {
            GenerationConfig config = beams(2, 1f, early).stopTokenIds(lowStops).build();
            List<ReferenceBeamSearch.Hypothesis> expected = reference.search(PROMPT, 2, 1f, hf(early), NEW_TOKENS, ends);
            List<BeamHypothesis> actual = model.beamSearch(PROMPT, config).hypotheses();
            assertThat(actual.stream().map(BeamHypothesis::tokenIds).toList()).as(early.name())
                    .isEqualTo(expected.stream().map(ReferenceBeamSearch.Hypothesis::tokens).toList());
            assertThat(actual.stream().map(BeamHypothesis::tokenIds).toList()).as("ends at rank 2 finish nothing")
                    .doesNotContain(List.of(byProbability.get(2)));
        }
    }

    private static String hf(EarlyStopping early) {
        return switch (early) {
            case WHEN_FULL -> "true";
            case HEURISTIC -> "false";
            case NEVER -> "never";
        };
    }

    @Test
    void generateReturnsTheBestHypothesisAndStreamsItsTextAtTheEnd() {
        GenerationConfig config = beams(4, 1f, EarlyStopping.HEURISTIC).build();
        BeamSearchResult all = model.beamSearch(PROMPT, config);
        StringBuilder streamed = new StringBuilder();
        GenerationResult r = model.generate(PROMPT, config, (delta, id) -> streamed.append(delta));
        assertThat(r.tokenIds()).isEqualTo(all.hypotheses().get(0).tokenIds()).isEqualTo(all.best().tokenIds());
        assertThat(r.text()).isEqualTo(all.hypotheses().get(0).text()).isEqualTo(streamed.toString());
        assertThat(r.finishReason()).isEqualTo(all.hypotheses().get(0).finishReason());
        assertThat(r.promptTokens()).isEqualTo(PROMPT.length);
        List<Integer> generated = r.tokenIds().subList(0, r.tokenIds().size()
                - (r.finishReason() == FinishReason.MAX_TOKENS ? 0 : 1));
        assertThat(r.text()).isEqualTo(model.tokenizer().orElseThrow().decode(generated.stream().mapToInt(i -> i).toArray()));
    }

    @Test
    void beamSamplingIsReproducibleUnderASeedAndScoresAreTheSampledLogProbabilities() {
        GenerationConfig sampled = beams(3, 1f, EarlyStopping.HEURISTIC).temperature(1f).seed(11).build();
        BeamSearchResult first = model.beamSearch(PROMPT, sampled);
        assertThat(model.beamSearch(PROMPT, sampled).hypotheses()).isEqualTo(first.hypotheses());
        List<List<Integer>> others = new ArrayList<>();
        for (long seed = 12; seed < 16; seed++) {
            others.add(model.beamSearch(PROMPT, sampled.toBuilder().seed(seed).build()).best().tokenIds());
        }
        assertThat(others).as("other seeds sample other answers").anyMatch(ids -> !ids.equals(first.best().tokenIds()));
        // At temperature 1 with no filter a hypothesis's score is its log-probability under the model over its length.
        for (BeamHypothesis h : first.hypotheses()) {
            List<Integer> sequence = new ArrayList<>();
            for (int id : PROMPT) {
                sequence.add(id);
            }
            double logProb = 0;
            for (int token : h.tokenIds()) {
                logProb += reference.nextLogProbs(sequence)[token];
                sequence.add(token);
            }
            int length = PROMPT.length + h.tokenIds().size() - (h.finishReason() == FinishReason.MAX_TOKENS ? 0 : 1);
            assertThat(h.logProbability()).isCloseTo(logProb, org.assertj.core.data.Offset.offset(1e-4));
            assertThat(h.score()).isCloseTo(logProb / length, org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Test
    void badBeamSettingsAreRefusedWithTheFix() {
        assertThatThrownBy(() -> GenerationConfig.builder().numBeams(0).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("numBeams must be between 1");
        assertThatThrownBy(() -> GenerationConfig.builder().numBeams(GenerationConfig.MAX_BEAMS + 1).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("" + GenerationConfig.MAX_BEAMS);
        assertThatThrownBy(() -> GenerationConfig.builder().numBeams(3).stopStrings(List.of("###")).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("stopTokenIds");
        assertThatThrownBy(() -> GenerationConfig.builder().lengthPenalty(Float.NaN).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("lengthPenalty");
        assertThatThrownBy(() -> model.beamSearch(PROMPT, plain().build()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("numBeams > 1");
        assertThat(EarlyStopping.parse("True")).isEqualTo(EarlyStopping.WHEN_FULL);
        assertThat(EarlyStopping.parse("false")).isEqualTo(EarlyStopping.HEURISTIC);
        assertThat(EarlyStopping.parse("never")).isEqualTo(EarlyStopping.NEVER);
        assertThatThrownBy(() -> EarlyStopping.parse("sometimes")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("true, false or never");
    }

    @Test
    void theKvBudgetCountsEveryBeam() {
        try (LocalModel tight = LocalModel.builder(dir).kvCacheBudget(3 * model.kvCacheBytes(1, PROMPT.length + NEW_TOKENS))
                .build()) {
            assertThat(tight.generate(PROMPT, beams(3, 1f, EarlyStopping.HEURISTIC).build()).tokenIds()).isNotEmpty();
            assertThatThrownBy(() -> tight.generate(PROMPT, beams(4, 1f, EarlyStopping.HEURISTIC).build()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("numBeams");
        }
    }

    @Test
    void beamSearchesDoNotLeakNativeArrays() throws InterruptedException {
        model.beamSearch(PROMPT, beams(3, 1f, EarlyStopping.NEVER).build());
        int before = NativeArrays.settle(model);
        for (int i = 0; i < 10; i++) {
            model.beamSearch(PROMPT, beams(2 + i % 4, 1f, EarlyStopping.NEVER).temperature(i % 2 == 0 ? 0f : 1f).seed(i).build());
        }
        assertThat(NativeArrays.settle(model)).isEqualTo(before);
    }

    private static ReferenceLlama referenceModel() {
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            Map<String, float[]> weights = new HashMap<>();
            for (String name : ckpt.tensorNames()) {
                weights.put(name, ckpt.tensor(name).toFloatArray());
            }
            return new ReferenceLlama(new ReferenceConfig(SPEC.vocabSize(), SPEC.hiddenSize(), SPEC.intermediateSize(),
                    SPEC.layers(), SPEC.heads(), SPEC.kvHeads(), 10000f, 1e-6f, false), weights);
        }
    }
}
