package dev.asclepius.core.internal.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.internal.checkpoint.SafetensorsWriter.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsCheckpointTest {
    @TempDir
    Path dir;

    private static float valueA(long i) {
        return (float) Math.sin(i * 0.7) * 3.5f;
    }

    private static List<Entry> sampleEntries() {
        return List.of(
                new Entry("a.f32", StorageType.F32, new long[] {3, 4}, SafetensorsCheckpointTest::valueA),
                new Entry("b.f16", StorageType.F16, new long[] {5}, i -> valueA(i) * 1000),
                new Entry("c.bf16", StorageType.BF16, new long[] {2, 3}, i -> valueA(i) - 0.001f),
                new Entry("d.scalar", StorageType.F32, new long[] {}, i -> 42.5f));
    }

    @Test
    void writerRoundTripConvertsEachType() throws IOException {
        SafetensorsWriter.write(dir.resolve("model.safetensors"), sampleEntries(), Map.of("format", "pt"));
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            assertThat(ckpt.format()).isEqualTo("safetensors");
            assertThat(ckpt.tensorNames()).containsExactly("a.f32", "b.f16", "c.bf16", "d.scalar");
            assertThat(ckpt.totalBytes()).isEqualTo(12 * 4 + 5 * 2 + 6 * 2 + 4);

            StoredTensor a = ckpt.tensor("a.f32");
            assertThat(a.type()).isEqualTo(StorageType.F32);
            assertThat(a.shape()).containsExactly(3, 4);
            for (int i = 0; i < 12; i++) {
                assertThat(a.toFloatArray()[i]).isEqualTo(valueA(i));
            }
            StoredTensor b = ckpt.tensor("b.f16");
            for (int i = 0; i < 5; i++) {
                short expected = HalfFloats.floatToF16(valueA(i) * 1000);
                assertThat(b.data().getShort(2 * i)).isEqualTo(expected);
                assertThat(b.toFloatArray()[i]).isEqualTo(HalfFloats.f16ToFloat(expected));
            }
            StoredTensor c = ckpt.tensor("c.bf16");
            for (int i = 0; i < 6; i++) {
                assertThat(c.toFloatArray()[i]).isEqualTo(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(valueA(i) - 0.001f)));
            }
            StoredTensor d = ckpt.tensor("d.scalar");
            assertThat(d.numel()).isEqualTo(1);
            assertThat(d.toFloatArray()).containsExactly(42.5f);
        }
        // The data section starts 8-byte aligned.
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("model.safetensors"))).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(head.getLong(0) % 8).isZero();
        assertThat(new String(head.array(), 8, (int) head.getLong(0), StandardCharsets.UTF_8))
                .contains("\"__metadata__\":{\"format\":\"pt\"}");
    }

    @Test
    void knownBitPatternsOnDisk() {
        SafetensorsWriter.write(dir.resolve("model.safetensors"), List.of(
                new Entry("h", StorageType.F16, new long[] {3}, i -> new float[] {1.0f, 65504f, 0x1p-24f}[(int) i]),
                new Entry("b", StorageType.BF16, new long[] {1}, i -> 1.0f)), null);
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            ByteBuffer h = ckpt.tensor("h").data();
            assertThat(h.getShort(0)).isEqualTo((short) 0x3C00);
            assertThat(h.getShort(2)).isEqualTo((short) 0x7BFF);
            assertThat(h.getShort(4)).isEqualTo((short) 0x0001);
            assertThat(ckpt.tensor("b").data().getShort(0)).isEqualTo((short) 0x3F80);
        }
    }

    @Test
    void convertingCopies() {
        SafetensorsWriter.write(dir.resolve("model.safetensors"), sampleEntries(), null);
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            FloatBuffer floats = FloatBuffer.allocate(8);
            floats.put(-1f);
            ckpt.tensor("c.bf16").copyAsFloatsTo(floats);
            assertThat(floats.position()).isEqualTo(7);
            assertThat(floats.get(0)).isEqualTo(-1f);
            assertThat(floats.get(1)).isEqualTo(ckpt.tensor("c.bf16").toFloatArray()[0]);

            ShortBuffer halves = ShortBuffer.allocate(12);
            ckpt.tensor("a.f32").copyAsHalfTo(halves);
            for (int i = 0; i < 12; i++) {
                assertThat(halves.get(i)).isEqualTo(HalfFloats.floatToF16(valueA(i)));
            }
            ShortBuffer fromBf16 = ShortBuffer.allocate(6);
            ckpt.tensor("c.bf16").copyAsHalfTo(fromBf16);
            float[] bf = ckpt.tensor("c.bf16").toFloatArray();
            for (int i = 0; i < 6; i++) {
                assertThat(fromBf16.get(i)).isEqualTo(HalfFloats.floatToF16(bf[i]));
            }
            ShortBuffer same = ShortBuffer.allocate(5);
            ckpt.tensor("b.f16").copyAsHalfTo(same);
            assertThat(same.get(4)).isEqualTo(ckpt.tensor("b.f16").data().getShort(8));
        }
    }

    /** Bytes laid out by hand from the format description, independent of SafetensorsWriter. */
    @Test
    void readsAHandBuiltFile() throws IOException {
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,1],\"data_offsets\":[8,12]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1.5f).putFloat(-2f).putShort((short) 0x3F80).putShort((short) 0xC040);
        writeSafetensors(dir.resolve("model.safetensors"), json, data.array());

        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            StoredTensor a = ckpt.tensor("a");
            assertThat(a.toFloatArray()).containsExactly(1.5f, -2f);
            ByteBuffer raw = a.data();
            assertThat(raw.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(raw.position()).isZero();
            assertThat(raw.limit()).isEqualTo(8);
            assertThat(raw.isReadOnly()).isTrue();
            assertThatThrownBy(() -> raw.putFloat(0, 1f)).isInstanceOf(ReadOnlyBufferException.class);
            StoredTensor b = ckpt.tensor("b");
            assertThat(b.type()).isEqualTo(StorageType.BF16);
            assertThat(b.shape()).containsExactly(2, 1);
            assertThat(b.toFloatArray()).containsExactly(1.0f, -3.0f);
        }
    }

    /** Real shards are ~10 GB: tensors past 4 GiB must map with long offsets. The file is sparse, so this is cheap. */
    @Test
    void tensorPastFourGibIsMappedInPlace() throws IOException {
        long begin = 5L << 30;
        String json = "{\"far\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + begin + "," + (begin + 8) + "]}}";
        Path file = dir.resolve("model.safetensors");
        writeSafetensors(file, json, new byte[0]);
        long dataStart = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(7.25f).putFloat(-1f).flip(),
                    dataStart + begin);
        }
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            assertThat(ckpt.tensor("far").toFloatArray()).containsExactly(7.25f, -1f);
        }
    }

    @Test
    void shardedWriterAndReader() throws IOException {
        List<Entry> entries = List.of(
                new Entry("t0", StorageType.F32, new long[] {100}, i -> i),
                new Entry("t1", StorageType.F32, new long[] {100}, i -> -i),
                new Entry("t2", StorageType.F16, new long[] {50}, i -> i / 4f),
                new Entry("t3", StorageType.F32, new long[] {300}, i -> i * 2));
        SafetensorsWriter.writeSharded(dir, entries, 800);
        assertThat(dir.resolve("model-00001-of-00003.safetensors")).exists();
        assertThat(dir.resolve("model-00003-of-00003.safetensors")).exists();
        String index = Files.readString(dir.resolve("model.safetensors.index.json"));
        assertThat(index).contains("\"total_size\":2100").contains("\"t2\":\"model-00002-of-00003.safetensors\"")
                .contains("\"t3\":\"model-00003-of-00003.safetensors\"");

        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            assertThat(ckpt.format()).isEqualTo("safetensors (3 shards)");
            assertThat(ckpt.tensorNames()).containsExactly("t0", "t1", "t2", "t3");
            assertThat(ckpt.tensor("t1").toFloatArray()[99]).isEqualTo(-99f);
            assertThat(ckpt.tensor("t2").toFloatArray()[49]).isEqualTo(12.25f);
            assertThat(ckpt.tensor("t3").toFloatArray()[299]).isEqualTo(598f);
            assertThat(ckpt.totalBytes()).isEqualTo(2100);
        }
    }

    @Test
    void tensorLookupAndClose() {
        SafetensorsWriter.write(dir.resolve("model.safetensors"), sampleEntries(), null);
        Checkpoint ckpt = Checkpoint.open(dir);
        assertThat(ckpt.contains("a.f32")).isTrue();
        assertThat(ckpt.contains("nope")).isFalse();
        assertThat(ckpt.tensor("a.f32")).isSameAs(ckpt.tensor("a.f32"));
        assertThatThrownBy(() -> ckpt.tensor("model.layers.0.nope"))
                .hasMessageContaining("model.layers.0.nope").hasMessageContaining("model.safetensors");
        ckpt.close();
        ckpt.close();
        assertThatThrownBy(() -> ckpt.tensor("a.f32")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void safetensorsWinsOverPytorchBin() throws IOException {
        SafetensorsWriter.write(dir.resolve("model.safetensors"), sampleEntries(), null);
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {1, 2, 3});
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            assertThat(ckpt.format()).isEqualTo("safetensors");
        }
    }

    static void writeSafetensors(Path file, String json, byte[] data) throws IOException {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(header.length).put(header).put(data);
        Files.write(file, out.array());
    }
}
