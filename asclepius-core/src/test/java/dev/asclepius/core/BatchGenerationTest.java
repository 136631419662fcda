package dev.asclepius.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batched generation gives each prompt what it gets alone, with rows of different lengths and early finishes. */
class BatchGenerationTest {
    @TempDir
    static Path dir;
    static LocalModel model;
    static List<int[]> prompts;

    @BeforeAll
    static void load() {
        // GQA (4 heads / 2 kv heads) so the batched mask meets the grouped attention layout too.
        RandomModelWriter.write(dir, new RandomModelSpec("llama", 32000, 64, 128, 2, 4, 2, 512, false, StorageType.F32, 5, 0));
        model = LocalModel.load(dir);
        prompts = List.of(
                model.tokenizer().orElseThrow().encode("Pt c/o SOB."),
                model.tokenizer().orElseThrow().encode("Discharge medications: metformin 500 mg BID, lisinopril 10 mg daily."),
                model.tokenizer().orElseThrow().encode("HTN"),
                model.tokenizer().orElseThrow().encode("Hospital course: admitted with fever, treated with ceftriaxone."));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static List<List<Integer>> oneByOne(GenerationConfig config) {
        List<List<Integer>> out = new ArrayList<>();
        for (int[] p : prompts) {
            out.add(model.generate(p, config).tokenIds());
        }
        return out;
    }

    @Test
    void greedyBatchEqualsOneByOne() {
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(10).ignoreEos(true).build();
        List<GenerationResult> batch = model.generateBatch(prompts, greedy);
        assertThat(batch).hasSize(4);
        assertThat(batch.stream().map(GenerationResult::tokenIds).toList()).isEqualTo(oneByOne(greedy));
        for (int i = 0; i < 4; i++) {
            assertThat(batch.get(i).promptTokens()).isEqualTo(prompts.get(i).length);
            assertThat(batch.get(i).finishReason()).isEqualTo(FinishReason.MAX_TOKENS);
            assertThat(batch.get(i).decodeSteps()).isEqualTo(9);
        }
    }

    @Test
    void sequencesThatFinishEarlyLeaveAndTheRestStayCorrect() {
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(12).ignoreEos(true).build();
        List<List<Integer>> alone = oneByOne(greedy);
        // Stop prompt 1 at its 3rd token and prompt 2 at its 6th: the others run on in a narrower batch.
        GenerationConfig stopping = greedy.toBuilder().stopTokenIds(Set.of(alone.get(1).get(2), alone.get(2).get(5))).build();
        List<GenerationResult> batch = model.generateBatch(prompts, stopping);
        for (int i = 0; i < 4; i++) {
            List<Integer> expected = model.generate(prompts.get(i), stopping).tokenIds();
            assertThat(batch.get(i).tokenIds()).as("prompt %d", i).isEqualTo(expected);
        }
        assertThat(batch.get(1).finishReason()).isEqualTo(FinishReason.STOP_TOKEN);
        assertThat(batch.get(1).tokenIds().size()).isLessThan(batch.get(0).tokenIds().size());
    }

    @Test
    void questionsAboutOneNoteShareItsPrefixAndAnswerAsAlone() {
        String note = "Discharge Diagnosis: CAP. HTN. DM2.\nHospital Course: 67M admitted with fever and SOB, "
                + "treated with ceftriaxone, switched to PO amoxicillin on hospital day 3.";
        List<int[]> questions = new ArrayList<>();
        for (String q : List.of("What medications was the patient discharged on?", "What is the expanded form of 'CAP'?",
                "Summarize the hospital course.", "When was the antibiotic switched?")) {
            questions.add(model.tokenizer().orElseThrow().encode(PromptTemplate.INFERENCE.format(note, q)));
        }
        int shared = 0;
        while (shared < questions.get(0).length && questions.get(0)[shared] == questions.get(1)[shared]) {
            shared++;
        }
        assertThat(shared).as("the template and the note are a long common prefix").isGreaterThan(60);
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(8).ignoreEos(true).build();
        List<GenerationResult> batch = model.generateBatch(questions, greedy);
        for (int i = 0; i < questions.size(); i++) {
            assertThat(batch.get(i).tokenIds()).as("question %d", i)
                    .isEqualTo(model.generate(questions.get(i), greedy).tokenIds());
            assertThat(batch.get(i).promptTokens()).isEqualTo(questions.get(i).length);
        }
    }

    @Test
    void seededSamplingInABatchIsReproducible() {
        GenerationConfig sampled = GenerationConfig.builder().maxNewTokens(8).temperature(0.9f).topK(40).seed(3).ignoreEos(true).build();
        List<GenerationResult> first = model.generateBatch(prompts, sampled);
        List<GenerationResult> second = model.generateBatch(prompts, sampled);
        assertThat(second.stream().map(GenerationResult::tokenIds).toList())
                .isEqualTo(first.stream().map(GenerationResult::tokenIds).toList());
    }

    @Test
    void streamingListenersGetTheirOwnText() {
        List<StringBuilder> texts = List.of(new StringBuilder(), new StringBuilder(), new StringBuilder(), new StringBuilder());
        List<TokenListener> listeners = new ArrayList<>();
        for (StringBuilder sb : texts) {
            listeners.add((delta, id) -> sb.append(delta));
        }
        List<GenerationResult> batch = model.generateBatch(prompts,
                GenerationConfig.builder().maxNewTokens(6).ignoreEos(true).build(), listeners);
        for (int i = 0; i < 4; i++) {
            assertThat(texts.get(i).toString()).isEqualTo(batch.get(i).text());
        }
    }

    @Test
    void batchesDoNotLeakNativeArrays() throws InterruptedException {
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(5).ignoreEos(true).build();
        model.generateBatch(prompts, config);
        int before = NativeArrays.settle(model);
        for (int i = 0; i < 10; i++) {
            model.generateBatch(prompts, config.toBuilder().stopTokenIds(Set.of(100 + i)).build());
        }
        // The generation thread frees a batch's cache just after handing out its last result.
        assertThat(NativeArrays.settle(model)).isEqualTo(before);
    }

    @Test
    void aKvCacheBudgetRefusesOversizedBatchesAndGenerateAllSplitsToFit() {
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(6).ignoreEos(true).build();
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        long twoRows = model.kvCacheBytes(2, longest + 6);
        try (LocalModel budgeted = LocalModel.builder(dir).kvCacheBudget(twoRows).build()) {
            assertThat(budgeted.maxSequences(longest + 6)).isEqualTo(2);
            assertThatThrownBy(() -> budgeted.generateBatch(prompts, greedy))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("at most 2 fit");
            List<String> texts = List.of("Pt c/o SOB.", "HTN", "Discharge medications: metformin.", "Afebrile.");
            List<GenerationResult> all = budgeted.generateAll(texts, greedy);
            assertThat(all).hasSize(4);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(all.get(i).tokenIds()).isEqualTo(model.generate(texts.get(i), greedy).tokenIds());
            }
        }
    }

    @Test
    void concurrentCallersAreDecodedTogetherAndGetWhatTheyGetAlone() throws Exception {
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(24).ignoreEos(true).build();
        List<List<Integer>> alone = new ArrayList<>();
        for (int[] p : prompts) {
            alone.add(model.generate(p, greedy).tokenIds());
        }
        try (LocalModel shared = LocalModel.load(dir)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<List<Integer>>> futures = new ArrayList<>();
                for (int[] p : prompts) {
                    futures.add(pool.submit(() -> {
                        go.await();
                        return shared.generate(p, greedy).tokenIds();
                    }));
                }
                go.countDown();
                for (int i = 0; i < prompts.size(); i++) {
                    assertThat(futures.get(i).get(120, java.util.concurrent.TimeUnit.SECONDS)).as("caller %d", i).isEqualTo(alone.get(i));
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(shared.stats().widestBatch()).as("callers shared decode steps").isGreaterThan(1);
        }
    }

    @Test
    void aRequestJoinsARunningGenerationAtItsNextStep() throws Exception {
        GenerationConfig longRun = GenerationConfig.builder().maxNewTokens(60).ignoreEos(true).build();
        GenerationConfig shortRun = GenerationConfig.builder().maxNewTokens(8).ignoreEos(true).build();
        int[] longPrompt = prompts.get(1);
        int[] shortPrompt = prompts.get(2);   // shorter than the running sequence: fits before its slot
        List<Integer> longAlone = model.generate(longPrompt, longRun).tokenIds();
        List<Integer> shortAlone = model.generate(shortPrompt, shortRun).tokenIds();
        try (LocalModel shared = LocalModel.load(dir)) {
            java.util.concurrent.CountDownLatch streaming = new java.util.concurrent.CountDownLatch(3);
            java.util.concurrent.CompletableFuture<GenerationResult> running = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> shared.generate(longPrompt, longRun, (delta, id) -> streaming.countDown()));
            assertThat(streaming.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            GenerationResult joined = shared.generate(shortPrompt, shortRun);
            assertThat(joined.tokenIds()).isEqualTo(shortAlone);
            assertThat(running.get(120, java.util.concurrent.TimeUnit.SECONDS).tokenIds()).isEqualTo(longAlone);
            assertThat(shared.stats().widestBatch()).isEqualTo(2);
        }
    }

    @Test
    void badBatchesFailBeforeAnyCompute() {
        GenerationConfig config = GenerationConfig.greedy();
        assertThatThrownBy(() -> model.generateBatch(List.of(), config)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> model.generateBatch(List.of(prompts.get(0), new int[512]), config))
                .isInstanceOf(ContextLengthExceededException.class);
    }
}
