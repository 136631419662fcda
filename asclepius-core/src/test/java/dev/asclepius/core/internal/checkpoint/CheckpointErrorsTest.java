package dev.asclepius.core.internal.checkpoint;

import static dev.asclepius.core.internal.checkpoint.SafetensorsCheckpointTest.writeSafetensors;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.internal.checkpoint.SafetensorsWriter.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointErrorsTest {
    @TempDir
    Path dir;

    private Path writeSample() {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, List.of(
                new Entry("w1", StorageType.F32, new long[] {4, 4}, i -> i),
                new Entry("w2", StorageType.F16, new long[] {8}, i -> i)), null);
        return file;
    }

    @Test
    void missingDirectory() {
        Path missing = dir.resolve("no-such-model");
        assertThatThrownBy(() -> Checkpoint.open(missing)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    }

    @Test
    void fileInsteadOfDirectory() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), "{}");
        assertThatThrownBy(() -> Checkpoint.open(file)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("is not a folder");
    }

    @Test
    void emptyDirectoryListsWhatWasLookedFor() {
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors.index.json").hasMessageContaining("model.safetensors,")
                .hasMessageContaining("pytorch_model.bin.index.json").hasMessageContaining("pytorch_model.bin")
                .hasMessageContaining("empty");
    }

    @Test
    void directoryWithoutWeightsListsItsContents() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.writeString(dir.resolve("model.gguf"), "x");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("the folder contains config.json, model.gguf");
    }

    @Test
    void truncatedFile() throws IOException {
        Path file = writeSample();
        truncateBy(file, 3);
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("truncated").hasMessageContaining("w2");
    }

    @Test
    void fileCutInsideTheHeader() throws IOException {
        Path file = writeSample();
        truncateBy(file, Files.size(file) - 20);
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("truncated");
    }

    @Test
    void corruptedHeaderJson() throws IOException {
        Path file = writeSample();
        byte[] bytes = Files.readAllBytes(file);
        Arrays.fill(bytes, 8, 20, (byte) '#');
        Files.write(file, bytes);
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("bad header");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        Path file = writeSample();
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0x7fff_0000_0000_0000L);
        Files.write(file, bytes);
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("bad header").hasMessageContaining("header length");
    }

    @ParameterizedTest
    @ValueSource(strings = {"I8", "F64", "I64", "F8_E4M3"})
    void unknownDtypeIsNamed(String dtype) throws IOException {
        writeSafetensors(dir.resolve("model.safetensors"),
                "{\"ids\":{\"dtype\":\"" + dtype + "\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[16]);
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'ids'").hasMessageContaining("dtype " + dtype).hasMessageContaining("not supported");
    }

    @Test
    void offsetsThatContradictTheShape() throws IOException {
        writeSafetensors(dir.resolve("model.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[16]);
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("bad header").hasMessageContaining("'w'");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\"shape\":[2.5],\"data_offsets\":[0,8]",                       // Gson would truncate to 2
            "\"shape\":[18446744073709551618],\"data_offsets\":[0,8]",      // 2^64 + 2 would wrap to 2
            "\"shape\":[\"2\"],\"data_offsets\":[0,8]",
            "\"shape\":[2],\"data_offsets\":[0,8.0000001]",
            "\"shape\":[2],\"data_offsets\":[1e400,8]",
            "\"shape\":[2],\"data_offsets\":[9223372036854775807,9223372036854775815]",
            "\"shape\":[2],\"data_offsets\":[-8,0]"})
    void headerNumbersMustBeExactIntegersThatFit(String fields) throws IOException {
        writeSafetensors(dir.resolve("model.safetensors"), "{\"w\":{\"dtype\":\"F32\"," + fields + "}}", new byte[16]);
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("bad header").hasMessageContaining("'w'");
    }

    @Test
    void overlappingTensors() throws IOException {
        writeSafetensors(dir.resolve("model.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[16]);
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("overlap");
    }

    @Test
    void tensorOverTwoGibIsNotSupported() throws IOException {
        long bytes = 4L << 30;
        writeSafetensors(dir.resolve("model.safetensors"),
                "{\"huge\":{\"dtype\":\"F32\",\"shape\":[1024,1024,1024],\"data_offsets\":[0," + bytes + "]}}", new byte[8]);
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'huge'").hasMessageContaining("over 2 GiB are not supported");
    }

    @Test
    void missingShard() throws IOException {
        SafetensorsWriter.writeSharded(dir, List.of(
                new Entry("a", StorageType.F32, new long[] {64}, i -> i),
                new Entry("b", StorageType.F32, new long[] {64}, i -> i)), 256);
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model-00002-of-00002.safetensors").hasMessageContaining("missing");
    }

    @Test
    void indexPlacingATensorInTheWrongShard() throws IOException {
        SafetensorsWriter.writeSharded(dir, List.of(
                new Entry("a", StorageType.F32, new long[] {64}, i -> i),
                new Entry("b", StorageType.F32, new long[] {64}, i -> i)), 256);
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, Files.readString(index).replace("\"b\":\"model-00002", "\"b\":\"model-00001")
                .replace("\"a\":\"model-00001", "\"a\":\"model-00002"));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("places tensor");
    }

    @Test
    void shardOutsideTheFolderIsRefused() throws IOException {
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\":{},\"weight_map\":{\"a\":\"../elsewhere.safetensors\"}}");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("outside its folder");
    }

    private static void truncateBy(Path file, long bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - bytes);
        }
    }
}
