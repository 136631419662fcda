package dev.asclepius.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.ContextLengthExceededException;
import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.PromptTemplate;
import dev.asclepius.core.UnsupportedModelException;
import dev.asclepius.core.internal.checkpoint.Checkpoint;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.core.spi.ModelProviders;
import dev.asclepius.core.spi.ModelRequest;
import dev.asclepius.llamacpp.internal.GgufFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Converts a tiny random-weight LLaMA checkpoint (the real 32000-token LLaMA tokenizer) to GGUF and checks
 * the file against the checkpoint and llama.cpp's generation against the DJL engine's.
 */
class LlamaCppModelTest {
    // intermediate 192 (not the tiny spec's 172) so every matrix row is a whole number of 32-value blocks
    static final RandomModelSpec SPEC = new RandomModelSpec("llama", 32000, 64, 192, 2, 4, 2, 2048, false,
            StorageType.F32, 7, 0);
    static final String PROMPT = PromptTemplate.INFERENCE.format(
            "Patient admitted with chest pain. Troponin elevated. Started on aspirin and heparin.",
            "What medications was the patient started on?");

    @TempDir
    static Path tmp;
    static Path modelDir;
    static Path f32;
    static Path q8;

    @BeforeAll
    static void convert() {
        modelDir = tmp.resolve("model");
        RandomModelWriter.write(modelDir, SPEC);
        f32 = tmp.resolve("model-f32.gguf");
        q8 = tmp.resolve("model-q8_0.gguf");
        List<Long> progress = new ArrayList<>();
        ConversionReport report = GgufConverter.convert(modelDir, f32, GgufType.F32, (t, done, total) -> progress.add(done));
        assertThat(report.tensors()).isEqualTo(1 + 9 * SPEC.layers() + 2);
        assertThat(report.keptHigher()).isEmpty();
        assertThat(progress).isSorted().hasSize(report.tensors());
        GgufConverter.convert(modelDir, q8, GgufType.Q8_0, GgufConverter.Listener.NONE);
    }

    @Test
    void convertedTensorsReadBackEqualToTheCheckpointWithQueryAndKeyRowsPermuted() {
        GgufFile g = GgufFile.read(f32);
        assertThat(g.string("general.architecture")).contains("llama");
        assertThat(g.integer("llama.attention.head_count_kv")).contains(2L);
        assertThat(g.integer("llama.context_length")).contains(2048L);
        assertThat(g.string("tokenizer.ggml.model")).contains("llama");
        assertThat((List<?>) g.get("tokenizer.ggml.tokens").orElseThrow()).hasSize(32000);
        int hd = SPEC.headDim();
        try (Checkpoint ckpt = Checkpoint.open(modelDir)) {
            assertThat(g.tensor("token_embd.weight")).isEqualTo(ckpt.tensor("model.embed_tokens.weight").toFloatArray());
            assertThat(g.tensor("blk.1.ffn_down.weight")).isEqualTo(ckpt.tensor("model.layers.1.mlp.down_proj.weight").toFloatArray());
            assertThat(g.tensor("blk.0.attn_norm.weight")).isEqualTo(ckpt.tensor("model.layers.0.input_layernorm.weight").toFloatArray());
            assertThat(g.tensor("output.weight")).isEqualTo(ckpt.tensor("lm_head.weight").toFloatArray());
            // independent reference: view each head's rows as [2][hd/2] and transpose to [hd/2][2]
            assertThat(g.tensor("blk.0.attn_q.weight"))
                    .isEqualTo(interleave(ckpt.tensor("model.layers.0.self_attn.q_proj.weight").toFloatArray(), SPEC.heads(), hd, SPEC.hiddenSize()));
            assertThat(g.tensor("blk.1.attn_k.weight"))
                    .isEqualTo(interleave(ckpt.tensor("model.layers.1.self_attn.k_proj.weight").toFloatArray(), SPEC.kvHeads(), hd, SPEC.hiddenSize()));
            assertThat(g.tensor("blk.1.attn_v.weight")).isEqualTo(ckpt.tensor("model.layers.1.self_attn.v_proj.weight").toFloatArray());
            // Q8_0: every value within half a quantization step (amax/127/2 per 32-value block) of the source
            float[] src = ckpt.tensor("model.layers.0.mlp.up_proj.weight").toFloatArray();
            float[] q = GgufFile.read(q8).tensor("blk.0.ffn_up.weight");
            for (int b = 0; b < src.length; b += 32) {
                float amax = 0;
                for (int j = 0; j < 32; j++) {
                    amax = Math.max(amax, Math.abs(src[b + j]));
                }
                for (int j = 0; j < 32; j++) {
                    assertThat(Math.abs(q[b + j] - src[b + j])).isLessThanOrEqualTo(amax / 127f * 0.5f + 1e-3f * amax);
                }
            }
        }
    }

    private static float[] interleave(float[] w, int heads, int hd, int cols) {
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++) {
            for (int half = 0; half < 2; half++) {
                for (int j = 0; j < hd / 2; j++) {
                    int from = h * hd + half * (hd / 2) + j;
                    int to = h * hd + 2 * j + half;
                    System.arraycopy(w, from * cols, out, to * cols, cols);
                }
            }
        }
        return out;
    }

    @Test
    void f32GgufGeneratesTheSameGreedyTokensAsTheDjlEngine() {
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(24).ignoreEos(true).build();
        GenerationResult djl;
        int[] ids;
        try (LocalModel local = LocalModel.builder(modelDir).threads(2).build()) {
            ids = local.tokenizer().orElseThrow().encode(PROMPT);
            djl = local.generate(ids, greedy);
        }
        try (LlamaCppModel cpp = LlamaCppModel.builder(f32).threads(2).build()) {
            assertThat(cpp.tokenizer().orElseThrow().encode(PROMPT)).as("llama.cpp's tokenizer on the converted vocabulary").isEqualTo(ids);
            List<String> deltas = new ArrayList<>();
            GenerationResult r = cpp.generate(PROMPT, greedy, (d, id) -> deltas.add(d));
            assertThat(r.tokenIds()).isEqualTo(djl.tokenIds());
            assertThat(r.text()).isEqualTo(djl.text());
            assertThat(String.join("", deltas)).isEqualTo(r.text());
            assertThat(r.finishReason()).isEqualTo(FinishReason.MAX_TOKENS);
            assertThat(r.promptTokens()).isEqualTo(ids.length);
            assertThat(r.decodeSteps()).isEqualTo(23);
        }
    }

    @Test
    void q8KeepsTheTopTokenOnMostPositions() {
        GenerationConfig one = GenerationConfig.builder().maxNewTokens(1).ignoreEos(true).build();
        int positions = 32;
        List<Integer> reference;
        int[] prompt;
        try (LlamaCppModel ref = LlamaCppModel.builder(f32).threads(2).build()) {
            prompt = ref.tokenizer().orElseThrow().encode(PROMPT);
            reference = ref.generate(prompt, one.toBuilder().maxNewTokens(positions).build()).tokenIds();
        }
        int agree = 0;
        try (LlamaCppModel q = LlamaCppModel.builder(q8).threads(2).build()) {
            // teacher forcing: each position continues the F32 model's own sequence
            for (int i = 0; i < positions; i++) {
                int[] ctx = Arrays.copyOf(prompt, prompt.length + i);
                for (int k = 0; k < i; k++) {
                    ctx[prompt.length + k] = reference.get(k);
                }
                int got = q.generate(ctx, one).tokenIds().get(0);
                if (got == reference.get(i)) {
                    agree++;
                }
            }
        }
        System.out.println("Q8_0 top-1 agreement with F32: " + agree + "/" + positions);
        assertThat(agree).isGreaterThanOrEqualTo(positions * 3 / 4);
    }

    @Test
    void typedErrors(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> LlamaCppModel.load(dir.resolve("missing.gguf")))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("No GGUF model file");
        Path notGguf = Files.writeString(dir.resolve("x.gguf"), "this is not a model");
        assertThatThrownBy(() -> LlamaCppModel.load(notGguf))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("not a GGUF file");
        LlamaCppModel m = LlamaCppModel.builder(f32).contextLength(32).threads(1).build();
        int[] tooLong = new int[40];
        tooLong[0] = 1;
        Arrays.fill(tooLong, 1, 40, 100);
        assertThatThrownBy(() -> m.generate(tooLong, GenerationConfig.greedy()))
                .isInstanceOf(ContextLengthExceededException.class);
        assertThatThrownBy(() -> m.generate(new int[] {1, 100}, GenerationConfig.builder().numBeams(2).build()))
                .isInstanceOf(dev.asclepius.core.InvalidInputException.class).hasMessageContaining("numBeams(2)");
        GenerationResult full = m.generate(new int[] {1, 100, 200}, GenerationConfig.builder().maxNewTokens(100).ignoreEos(true).build());
        assertThat(full.finishReason()).isEqualTo(FinishReason.CONTEXT_FULL);
        assertThat(full.generatedTokens()).isEqualTo(29);
        m.close();
        assertThatThrownBy(() -> m.generate(new int[] {1, 100}, GenerationConfig.greedy()))
                .isInstanceOf(ModelClosedException.class);
        m.close(); // idempotent
    }

    @Test
    void stopStringCutsTheTextAndEndsGeneration() {
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(24).ignoreEos(true).build();
        try (LlamaCppModel cpp = LlamaCppModel.builder(f32).threads(2).build()) {
            GenerationResult full = cpp.generate(PROMPT, greedy);
            String stop = full.text().substring(full.text().length() / 2, full.text().length() / 2 + 3);
            GenerationResult cut = cpp.generate(PROMPT, greedy.toBuilder().stopStrings(List.of(stop)).build());
            assertThat(cut.finishReason()).isEqualTo(FinishReason.STOP_STRING);
            assertThat(cut.text()).isEqualTo(full.text().substring(0, full.text().indexOf(stop)));
        }
    }

    @Test
    void converterRejectsWhatItCannotConvert(@TempDir Path dir) throws IOException {
        Path other = dir.resolve("gpt2");
        Files.createDirectories(other);
        Files.writeString(other.resolve("config.json"), "{\"model_type\": \"gpt2\", \"vocab_size\": 10}");
        assertThatThrownBy(() -> GgufConverter.convert(other, dir.resolve("x.gguf"), GgufType.Q8_0, GgufConverter.Listener.NONE))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("gpt2");
        assertThat(dir.resolve("x.gguf")).doesNotExist();
    }

    @Test
    void providerIsFoundForGgufRequests() {
        assertThat(ModelProviders.find(ModelRequest.of(f32.toString()))).get()
                .isInstanceOf(LlamaCppProvider.class);
        assertThat(ModelProviders.find(ModelRequest.of(modelDir.toString()))).isEmpty();
    }

    @Test
    void seededSamplingRepeatsAndSpecialIdsComeFromTheFile() {
        GenerationConfig sample = GenerationConfig.builder().maxNewTokens(12).ignoreEos(true).temperature(1.5f)
                .topK(50).topP(0.95f).seed(1234).build();
        try (LlamaCppModel cpp = LlamaCppModel.builder(f32).threads(2).build()) {
            assertThat(cpp.tokenizer().orElseThrow().bosId()).isEqualTo(1);
            assertThat(cpp.tokenizer().orElseThrow().eosId()).isEqualTo(2);
            assertThat(cpp.tokenizer().orElseThrow().vocabSize()).isEqualTo(32000);
            assertThat(cpp.info().shape().orElseThrow().layers()).isEqualTo(SPEC.layers());
            assertThat(cpp.info().shape().orElseThrow().kvHeads()).isEqualTo(SPEC.kvHeads());
            GenerationResult a = cpp.generate(PROMPT, sample);
            GenerationResult b = cpp.generate(PROMPT, sample);
            GenerationResult other = cpp.generate(PROMPT, sample.toBuilder().seed(99).build());
            GenerationResult greedy = cpp.generate(PROMPT, sample.toBuilder().temperature(0f).build());
            assertThat(b.tokenIds()).isEqualTo(a.tokenIds());
            assertThat(a.tokenIds()).hasSize(12);
            // at temperature 1.5 over a flat random model, two seeds or sampling vs argmax agreeing on all 12 is negligible
            assertThat(List.of(other.tokenIds(), greedy.tokenIds())).allSatisfy(ids -> assertThat(ids).isNotEqualTo(a.tokenIds()));
        }
    }
}
