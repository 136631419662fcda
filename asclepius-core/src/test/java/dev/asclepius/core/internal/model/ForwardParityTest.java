package dev.asclepius.core.internal.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.asclepius.core.internal.checkpoint.Checkpoint;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import dev.asclepius.core.testing.ReferenceConfig;
import dev.asclepius.core.testing.ReferenceLlama;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The DJL forward pass against the independent scalar reference ({@code ReferenceLlama}, test tree) on
 * random-weight checkpoints written to disk and loaded through the real checkpoint path.
 */
class ForwardParityTest {
    private static final int[] IDS = {1, 17, 200, 3, 45, 99, 120, 7, 7, 250, 31, 64};

    @TempDir
    Path dir;

    static Stream<Arguments> checkpoints() {
        RandomModelSpec base = new RandomModelSpec("llama", 256, 64, 160, 2, 4, 4, 64, false, StorageType.F32, 7, 0);
        return Stream.of(
                Arguments.of("MHA, f32, one file", base),
                Arguments.of("GQA 8 heads / 2 kv heads, 3 layers", new RandomModelSpec("llama", 256, 64, 96, 3, 8, 2, 64, false, StorageType.F32, 11, 0)),
                Arguments.of("sharded safetensors", base.withShards(60_000)),
                Arguments.of("bf16 on disk", base.withStorage(StorageType.BF16)),
                Arguments.of("f16 on disk", base.withStorage(StorageType.F16)),
                Arguments.of("tied embeddings", new RandomModelSpec("llama", 256, 64, 160, 2, 4, 4, 64, true, StorageType.F32, 5, 0)),
                Arguments.of("mistral, GQA 4/1", new RandomModelSpec("mistral", 256, 64, 128, 2, 4, 1, 64, false, StorageType.F32, 3, 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checkpoints")
    void logitsMatchReferenceAtEveryPosition(String label, RandomModelSpec spec) {
        RandomModelWriter.write(dir, spec);
        try (Loaded m = Loaded.of(dir, DataType.FLOAT32)) {
            float[][] expected = m.reference().forward(IDS);
            float[][] actual = m.allLogits(IDS);
            assertClose(actual, expected, 1e-4);
        }
    }

    @Test
    void pytorchBinShardsMatchTheReferenceFedFromTorchsOwnValues() throws Exception {
        // Written by torch.save (fixtures/tiny-llama-bin/make_tiny_llama.py); the reference gets the raw
        // float32 values torch dumped beside it, not what our .bin reader decodes.
        Path fixture = Path.of(getClass().getResource("/fixtures/tiny-llama-bin/config.json").toURI()).getParent();
        Map<String, float[]> weights = new HashMap<>();
        JsonObject manifest = JsonParser.parseString(
                Files.readString(fixture.resolve("expected/manifest.json"))).getAsJsonObject();
        for (String name : manifest.keySet()) {
            byte[] raw = Files.readAllBytes(fixture.resolve("expected").resolve(manifest.getAsJsonObject(name).get("file").getAsString()));
            float[] values = new float[raw.length / 4];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            weights.put(name, values);
        }
        int[] ids = {0, 5, 63, 17, 17, 2, 40, 9};
        try (Loaded m = Loaded.of(fixture, DataType.FLOAT32)) {
            assertThat(m.checkpoint().format()).contains("pytorch .bin");
            ModelConfig c = m.config();
            ReferenceLlama reference = new ReferenceLlama(new ReferenceConfig(c.vocabSize(), c.hiddenSize(),
                    c.intermediateSize(), c.layers(), c.heads(), c.kvHeads(), c.ropeTheta(), c.rmsNormEps(), false), weights);
            assertClose(m.allLogits(ids), reference.forward(ids), 1e-4);
        }
    }

    @Test
    void longPromptsAttendInQueryChunksAndStillMatchTheReference() {
        // 300 tokens cross the 256-query chunk boundary of the prefill attention.
        RandomModelWriter.write(dir, new RandomModelSpec("llama", 256, 64, 96, 2, 8, 2, 512, false, StorageType.F32, 29, 0));
        int[] ids = spreadIds(300, 37, 11);
        try (Loaded m = Loaded.of(dir, DataType.FLOAT32)) {
            assertClose(m.allLogits(ids), m.reference().forward(ids), 1e-4);
        }
    }

    @Test
    void kvCachedDecodingEqualsFullRecomputation() {
        RandomModelWriter.write(dir, new RandomModelSpec("llama", 256, 64, 96, 3, 8, 2, 64, false, StorageType.F32, 19, 0));
        try (Loaded m = Loaded.of(dir, DataType.FLOAT32)) {
            assertCachedDecodingMatches(m, IDS, 5, IDS.length, m.allLogits(IDS), 1e-5);
        }
    }

    /** {@code length} token ids {@code (i * stride + offset) % 256}, spread over the test models' 256-token vocabulary. */
    private static int[] spreadIds(int length, int stride, int offset) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = (i * stride + offset) % 256;
        }
        return ids;
    }

    /**
     * Prefills {@code ids[0, prefill)} into a fresh cache, then decodes one token at a time up to {@code end}:
     * the prompt's last logits and every step's must equal {@code full} (logits of the whole sequence at once).
     */
    private static void assertCachedDecodingMatches(Loaded m, int[] ids, int prefill, int end, float[][] full,
                                                    double tolerance) {
        try (KvCache cache = m.model.newCache(1, ids.length); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            float[] last = m.forward(java.util.Arrays.copyOf(ids, prefill), 0, cache);
            assertClose(new float[][] {last}, new float[][] {full[prefill - 1]}, tolerance);
            for (int pos = prefill; pos < end; pos++) {
                float[] step = m.forward(new int[] {ids[pos]}, pos, cache);
                assertClose(new float[][] {step}, new float[][] {full[pos]}, tolerance);
            }
        }
    }

    @Test
    void aTokenIdOutsideTheVocabularyIsRefusedBeforeAnyCompute() {
        RandomModelWriter.write(dir, new RandomModelSpec("llama", 256, 64, 96, 2, 4, 2, 64, false, StorageType.F32, 41, 0));
        try (Loaded m = Loaded.of(dir, DataType.FLOAT32);
             KvCache cache = m.model.newCache(1, 4);
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.model.forward(new int[] {3, 256}, 0, cache, false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("token id 256 is outside the vocabulary [0, 256)");
        }
    }

    @Test
    void decodingAcrossRotationBlocksEqualsFullRecomputation() {
        // Decode rotations come from 64-position blocks: steps 60..139 cross two block boundaries, and a second
        // sequence going back to early positions must get its own block again, not the cached later one.
        RandomModelWriter.write(dir, new RandomModelSpec("llama", 256, 64, 96, 2, 4, 2, 160, false, StorageType.F32, 37, 0));
        int[] ids = spreadIds(140, 53, 7);
        try (Loaded m = Loaded.of(dir, DataType.FLOAT32)) {
            float[][] full = m.allLogits(ids);
            assertCachedDecodingMatches(m, ids, 60, ids.length, full, 1e-4);
            assertCachedDecodingMatches(m, ids, 3, 70, full, 1e-4);
        }
    }

    @Test
    void aDecodeStepFreesEachBlocksTemporariesAndKeepsOnlyWhatTheNextBlockReads() {
        // Each attention and MLP block frees its ~10-20 temporaries when it ends, so a step holds a couple of
        // arrays per layer (the residual stream) plus its own few, not every intermediate until the step ends.
        RandomModelWriter.write(dir, new RandomModelSpec("llama", 256, 64, 96, 6, 8, 2, 64, false, StorageType.F32, 31, 0));
        try (Loaded m = Loaded.of(dir, DataType.FLOAT32);
             KvCache cache = m.model.newCache(1, IDS.length)) {
            float[][] full = m.allLogits(IDS);
            try (NDScope prompt = new NDScope()) {
                prompt.suppressNotUsedWarning();
                m.forward(java.util.Arrays.copyOf(IDS, 5), 0, cache);
                m.forward(new int[] {IDS[4]}, 4, cache);   // the first decode step builds the rotation block it keeps
            }
            int before = m.manager().getManagedArrays().size();
            int duringStep;
            float[] step;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray logits = m.model.forward(new int[] {IDS[5]}, 5, cache, false);
                duringStep = m.manager().getManagedArrays().size() - before;
                step = logits.toFloatArray();
            }
            assertThat(duringStep).as("arrays alive after one decode step of 6 layers").isBetween(1, 2 * 6 + 16);
            assertThat(m.manager().getManagedArrays().size()).as("all freed with the step's scope").isEqualTo(before);
            assertClose(new float[][] {step}, new float[][] {full[5]}, 1e-5);
        }
    }

    @Test
    void float16ComputeOnCpuTracksTheReference() {
        // The closest check of the GPU path (f16 weights and activations) that a CPU-only CI can run.
        RandomModelWriter.write(dir, new RandomModelSpec("llama", 256, 64, 96, 2, 8, 2, 64, false, StorageType.F32, 23, 0));
        try (Loaded m = Loaded.of(dir, DataType.FLOAT16)) {
            float[][] expected = m.reference().forward(IDS);
            float[][] actual = m.allLogits(IDS);
            double scale = 0;
            for (float[] row : expected) {
                for (float v : row) {
                    scale = Math.max(scale, Math.abs(v));
                }
            }
            assertClose(actual, expected, 1e-2 * scale);
        }
    }

    static void assertClose(float[][] actual, float[][] expected, double tolerance) {
        assertThat(actual.length).isEqualTo(expected.length);
        double worst = 0;
        for (int t = 0; t < expected.length; t++) {
            assertThat(actual[t].length).isEqualTo(expected[t].length);
            for (int v = 0; v < expected[t].length; v++) {
                worst = Math.max(worst, Math.abs(actual[t][v] - expected[t][v]));
            }
        }
        assertThat(worst).as("max |logit difference|").isLessThanOrEqualTo(tolerance);
    }

    /** A checkpoint loaded both ways: DJL model and scalar reference over the same stored tensors. */
    record Loaded(Checkpoint checkpoint, ModelConfig config, NDManager manager, LlamaModel model) implements AutoCloseable {
        static Loaded of(Path dir, DataType dtype) {
            return of(dir, dtype, CpuKernels.DEFAULT);
        }

        static Loaded of(Path dir, DataType dtype, CpuKernels kernels) {
            PyTorchRuntime.engine();
            ModelConfig config = ModelConfig.read(dir);
            Checkpoint ckpt = Checkpoint.open(dir);
            NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
            LlamaModel model = new LlamaModel(config, LlamaWeights.load(ckpt, config, ai.djl.Device.cpu(), dtype, manager),
                    kernels);
            return new Loaded(ckpt, config, manager, model);
        }

        ReferenceLlama reference() {
            Map<String, float[]> weights = new HashMap<>();
            for (String name : checkpoint.tensorNames()) {
                weights.put(name, checkpoint.tensor(name).toFloatArray());
            }
            return new ReferenceLlama(new ReferenceConfig(config.vocabSize(), config.hiddenSize(), config.intermediateSize(),
                    config.layers(), config.heads(), config.kvHeads(), config.ropeTheta(), config.rmsNormEps(),
                    config.tieWordEmbeddings()), weights);
        }

        float[][] allLogits(int[] ids) {
            try (KvCache cache = model.newCache(1, ids.length); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray logits = model.forward(ids, 0, cache, true)
                        .toType(DataType.FLOAT32, false);
                float[] flat = logits.toFloatArray();
                int vocab = config.vocabSize();
                float[][] out = new float[ids.length][vocab];
                for (int t = 0; t < ids.length; t++) {
                    System.arraycopy(flat, t * vocab, out[t], 0, vocab);
                }
                return out;
            }
        }

        float[] forward(int[] ids, int start, KvCache cache) {
            return model.forward(ids, start, cache, false).toFloatArray();
        }

        @Override
        public void close() {
            model.close();
            manager.close();
            checkpoint.close();
        }
    }
}
