package dev.asclepius.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.internal.checkpoint.Checkpoint;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.core.testing.ReferenceConfig;
import dev.asclepius.core.testing.ReferenceLlama;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generation through the public API on a random-weight model with the real LLaMA tokenizer. */
class LocalModelGenerationTest {
    private static final RandomModelSpec SPEC =
            new RandomModelSpec("llama", 32000, 64, 128, 2, 4, 2, 96, false, StorageType.F32, 99, 0);

    @TempDir
    static Path dir;
    static LocalModel model;
    static int[] prompt;

    @BeforeAll
    static void load() {
        RandomModelWriter.write(dir, SPEC);
        model = LocalModel.builder(dir).threads(2).build();
        prompt = model.tokenizer().orElseThrow().encode("Pt c/o SOB. Hx HTN, DM2.");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationConfig.Builder greedy(int tokens) {
        return GenerationConfig.builder().maxNewTokens(tokens).ignoreEos(true);
    }

    @Test
    void greedyDecodingFollowsTheReferenceArgmax() {
        GenerationResult result = model.generate(prompt, greedy(12).build());
        ReferenceLlama reference = reference();
        List<Integer> expected = new ArrayList<>();
        int[] ids = prompt.clone();
        for (int step = 0; step < 12; step++) {
            float[][] logits = reference.forward(ids);
            int next = argMax(logits[ids.length - 1]);
            expected.add(next);
            ids = java.util.Arrays.copyOf(ids, ids.length + 1);
            ids[ids.length - 1] = next;
        }
        assertThat(result.tokenIds()).isEqualTo(expected);
        assertThat(result.finishReason()).isEqualTo(FinishReason.MAX_TOKENS);
        assertThat(result.promptTokens()).isEqualTo(prompt.length);
        assertThat(result.decodeSteps()).isEqualTo(11);
        assertThat(result.text()).isEqualTo(model.tokenizer().orElseThrow().decode(result.tokenIds().stream().mapToInt(i -> i).toArray()));
    }

    @Test
    void lastPositionLogitsMatchTheReference() {
        float[] actual = model.logits(prompt);
        float[] expected = reference().forward(prompt)[prompt.length - 1];
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).isLessThan(1e-4);
    }

    @Test
    void seededSamplingIsReproducible() {
        GenerationConfig sampled = greedy(10).temperature(1.0f).topK(50).topP(0.95f).seed(7).build();
        List<Integer> first = model.generate(prompt, sampled).tokenIds();
        assertThat(model.generate(prompt, sampled).tokenIds()).isEqualTo(first);
        List<Integer> other = model.generate(prompt, sampled.toBuilder().seed(8).build()).tokenIds();
        List<Integer> greedyIds = model.generate(prompt, greedy(10).build()).tokenIds();
        assertThat(List.of(other, greedyIds)).as("another seed or greedy decoding picks differently").anyMatch(l -> !l.equals(first));
    }

    @Test
    void stopsOnAnExtraStopTokenAndKeepsIt() {
        List<Integer> free = model.generate(prompt, greedy(8).build()).tokenIds();
        int stop = free.get(3);
        int firstIndex = free.indexOf(stop);
        GenerationResult r = model.generate(prompt, greedy(8).stopTokenIds(java.util.Set.of(stop)).build());
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP_TOKEN);
        assertThat(r.tokenIds()).isEqualTo(free.subList(0, firstIndex + 1));
    }

    @Test
    void stopStringCutsTheTextAndStreamingDeltasAddUp() {
        String full = model.generate(prompt, greedy(20).build()).text();
        assertThat(full.length()).isGreaterThan(6);
        String stop = full.substring(full.length() / 2, full.length() / 2 + 3);
        StringBuilder streamed = new StringBuilder();
        GenerationResult r = model.generate(prompt, greedy(20).stopStrings(List.of(stop)).build(),
                (delta, id) -> streamed.append(delta));
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP_STRING);
        assertThat(r.text()).isEqualTo(full.substring(0, full.indexOf(stop)));
        assertThat(streamed.toString()).isEqualTo(r.text());
    }

    @Test
    void stopsWhenTheContextIsFull() {
        int[] longPrompt = new int[SPEC.contextLength() - 3];
        java.util.Arrays.fill(longPrompt, 450);
        longPrompt[0] = 1;
        GenerationResult r = model.generate(longPrompt, greedy(10).build());
        assertThat(r.finishReason()).isEqualTo(FinishReason.CONTEXT_FULL);
        assertThat(r.generatedTokens()).isEqualTo(3);
    }

    @Test
    void badPromptsFailBeforeAnyCompute() {
        assertThatThrownBy(() -> model.generate(new int[SPEC.contextLength()], greedy(5).build()))
                .isInstanceOf(ContextLengthExceededException.class)
                .hasMessageContaining(SPEC.contextLength() + " tokens");
        assertThatThrownBy(() -> model.generate(new int[0], greedy(5).build()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> model.generate(new int[] {1, 32000}, greedy(5).build()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("outside the vocabulary");
    }

    @Test
    void generationsDoNotLeakNativeArrays() throws InterruptedException {
        model.generate(prompt, greedy(4).build());
        int before = NativeArrays.settle(model);
        for (int i = 0; i < 50; i++) {
            model.generate(prompt, greedy(4).temperature(i % 2 == 0 ? 0f : 0.8f).seed(i).build());
            model.logits(prompt);
        }
        // The generation thread frees a batch's cache just after handing out its last result.
        assertThat(NativeArrays.settle(model)).isEqualTo(before);
    }

    @Test
    void concurrentCallsAreServedAndGiveTheSameAnswer() throws Exception {
        List<Integer> expected = model.generate(prompt, greedy(6).build()).tokenIds();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Integer>>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> model.generate(prompt, greedy(6).build()).tokenIds()));
            }
            for (Future<List<Integer>> f : futures) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closingDuringGenerationFailsThatCallWithATypedError() throws Exception {
        LocalModel own = LocalModel.load(dir);
        CountDownLatch started = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<GenerationResult> running = pool.submit(() -> own.generate(prompt,
                    greedy(80).build(), (delta, id) -> started.countDown()));
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            own.close();
            assertThatThrownBy(() -> running.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(ModelClosedException.class);
            assertThatThrownBy(() -> own.generate(prompt, greedy(2).build())).isInstanceOf(ModelClosedException.class);
            own.close(); // idempotent
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void float16ComputeRunsOnCpu() {
        try (LocalModel half = LocalModel.builder(dir).computeType(ComputeType.F16).build()) {
            assertThat(half.info().computeType()).contains(ComputeType.F16);
            GenerationResult r = half.generate(prompt, greedy(6).build());
            assertThat(r.tokenIds()).hasSize(6);
            float[] logits = half.logits(prompt);
            float[] exact = model.logits(prompt);
            assertThat(argMax(logits)).isEqualTo(argMax(exact));
        }
    }

    private static ReferenceLlama reference() {
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            Map<String, float[]> weights = new HashMap<>();
            for (String name : ckpt.tensorNames()) {
                weights.put(name, ckpt.tensor(name).toFloatArray());
            }
            return new ReferenceLlama(new ReferenceConfig(SPEC.vocabSize(), SPEC.hiddenSize(), SPEC.intermediateSize(),
                    SPEC.layers(), SPEC.heads(), SPEC.kvHeads(), 10000f, 1e-6f, false), weights);
        }
    }

    private static int argMax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
