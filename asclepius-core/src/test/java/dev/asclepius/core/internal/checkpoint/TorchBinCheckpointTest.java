package dev.asclepius.core.internal.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.CheckpointException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against fixtures written by torch.save itself (see src/test/resources/fixtures/torch-bin/make_fixtures.py). */
class TorchBinCheckpointTest {
    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(TorchBinCheckpointTest.class.getResource("/fixtures/torch-bin/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void singleFileMatchesTorchValues() throws IOException {
        try (Checkpoint ckpt = Checkpoint.open(fixture("single"))) {
            assertThat(ckpt.format()).isEqualTo("pytorch .bin");
            assertMatchesExpected(ckpt, fixture("single"));
            assertThat(ckpt.tensor("model.embed_tokens.weight").type()).isEqualTo(StorageType.F32);
            assertThat(ckpt.tensor("layers.0.q_proj.weight").type()).isEqualTo(StorageType.F16);
            assertThat(ckpt.tensor("layers.0.up_proj.weight").type()).isEqualTo(StorageType.BF16);
            assertThat(ckpt.tensor("param.weight").shape()).containsExactly(4, 4);
            assertThat(ckpt.tensor("scale").shape()).isEmpty();
            assertThat(ckpt.tensor("scale").toFloatArray()).containsExactly(0.125f);
            assertThat(ckpt.tensorNames()).contains("0.weight", "1.bias"); // from the nn.Module state_dict
        }
    }

    @Test
    void tiedWeightsAndViewsIntoASharedStorage() {
        try (Checkpoint ckpt = Checkpoint.open(fixture("single"))) {
            assertThat(ckpt.tensor("lm_head.weight").toFloatArray())
                    .containsExactly(ckpt.tensor("model.embed_tokens.weight").toFloatArray());
            float[] base = ckpt.tensor("view.f32.base").toFloatArray();
            float[] rows = ckpt.tensor("view.f32.rows").toFloatArray();
            assertThat(rows).hasSize(24);
            for (int i = 0; i < rows.length; i++) {
                assertThat(rows[i]).isEqualTo(base[16 + i]); // rows 2..4 of a [6, 8] tensor
            }
            assertThat(ckpt.tensor("view.f16.part").shape()).containsExactly(4);
            assertThat(ckpt.tensor("view.bf16.row").shape()).containsExactly(4);
        }
    }

    @Test
    void specialHalfValuesAsTorchWroteThem() {
        try (Checkpoint ckpt = Checkpoint.open(fixture("single"))) {
            ByteBuffer raw = ckpt.tensor("special.f16").data();
            assertThat(raw.getShort(0)).isEqualTo((short) 0x0000);
            assertThat(raw.getShort(2)).isEqualTo((short) 0x8000);
            assertThat(raw.getShort(4)).isEqualTo((short) 0x7BFF);
            assertThat(raw.getShort(6)).isEqualTo((short) 0x0001); // 6e-8 -> smallest subnormal
            assertThat(raw.getShort(10)).isEqualTo((short) 0x7C00);
            assertThat(raw.getShort(12)).isEqualTo((short) 0xFC00);
            // torch's own float -> half rounding agrees with ours.
            assertThat(raw.getShort(8)).isEqualTo(HalfFloats.floatToF16(1e-5f));
        }
    }

    @Test
    void shardedMatchesTorchValues() throws IOException {
        try (Checkpoint ckpt = Checkpoint.open(fixture("sharded"))) {
            assertThat(ckpt.format()).isEqualTo("pytorch .bin (2 shards)");
            assertThat(ckpt.tensorNames()).containsExactly("a.weight", "b.weight", "c.weight");
            assertThat(ckpt.tensor("c.weight").type()).isEqualTo(StorageType.BF16);
            assertThat(ckpt.totalBytes()).isEqualTo(4 * 6 * 4 + 6 * 2 + 3 * 5 * 2);
            assertMatchesExpected(ckpt, fixture("sharded"));
        }
    }

    @Test
    void legacyFormatIsRejectedWithAHint() {
        assertThatThrownBy(() -> Checkpoint.open(fixture("legacy"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("legacy").hasMessageContaining("torch >= 1.6");
    }

    @Test
    void float64StorageIsNamed() {
        assertThatThrownBy(() -> Checkpoint.open(fixture("float64"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'w64'").hasMessageContaining("torch.DoubleStorage")
                .hasMessageContaining("not supported");
    }

    @Test
    void nonContiguousTensorIsRejected() {
        assertThatThrownBy(() -> Checkpoint.open(fixture("noncontiguous"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'wt'").hasMessageContaining("not contiguous");
    }

    @Test
    void truncatedBin() throws IOException {
        Path file = tmp.resolve("pytorch_model.bin");
        Files.copy(fixture("single").resolve("pytorch_model.bin"), file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 10);
        }
        assertThatThrownBy(() -> Checkpoint.open(tmp)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("truncated");
    }

    @Test
    void missingBinShard() throws IOException {
        for (String f : new String[] {"pytorch_model-00001-of-00002.bin", "pytorch_model.bin.index.json"}) {
            Files.copy(fixture("sharded").resolve(f), tmp.resolve(f));
        }
        assertThatThrownBy(() -> Checkpoint.open(tmp)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("pytorch_model-00002-of-00002.bin").hasMessageContaining("missing");
    }

    /** Each tensor's values equal the float32 bytes torch itself produced with tensor.float(). */
    private static void assertMatchesExpected(Checkpoint ckpt, Path fixtureDir) throws IOException {
        Path expectedDir = fixtureDir.resolve("expected");
        JsonObject manifest = JsonParser.parseString(Files.readString(expectedDir.resolve("manifest.json"))).getAsJsonObject();
        assertThat(ckpt.tensorNames()).containsExactlyElementsOf(manifest.keySet().stream().sorted().toList());
        for (Map.Entry<String, JsonElement> e : manifest.entrySet()) {
            JsonObject m = e.getValue().getAsJsonObject();
            StoredTensor t = ckpt.tensor(e.getKey());
            long[] shape = m.getAsJsonArray("shape").asList().stream().mapToLong(JsonElement::getAsLong).toArray();
            assertThat(t.shape()).as(e.getKey()).containsExactly(shape);
            ByteBuffer expected = ByteBuffer.wrap(Files.readAllBytes(expectedDir.resolve(m.get("file").getAsString())))
                    .order(ByteOrder.LITTLE_ENDIAN);
            float[] want = new float[expected.remaining() / 4];
            expected.asFloatBuffer().get(want);
            assertThat(t.toFloatArray()).as(e.getKey()).containsExactly(want);
        }
    }
}
