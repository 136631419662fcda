package dev.asclepius.core.internal.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.CheckpointException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hand-built pickles and zips: the unpickler's refusals and the zip parser's edge cases. */
class TorchZipAndPickleTest {
    @TempDir
    Path dir;

    /** A state_dict {"w": view of 2x2 at element offset 2 into a 6-float storage}, as torch.save pickles it. */
    private static byte[] stateDictPickle(String storageType) {
        return stateDictPickle(storageType, p -> p.int1(2));
    }

    /** The same state_dict with the storage offset written by {@code offset}. */
    private static byte[] stateDictPickle(String storageType, java.util.function.UnaryOperator<Pickle> offset) {
        return offset.apply(new Pickle().proto()
                .op('}').op('q').op(0)
                .str("w")
                .global("torch._utils", "_rebuild_tensor_v2")
                .op('(')
                .op('(').str("storage").global("torch", storageType).str("0").str("cpu").int1(6).op('t').op('Q'))
                .int1(2).int1(2).op(0x86)
                .int1(2).int1(1).op(0x86)
                .op(0x89)
                .global("collections", "OrderedDict").op(')').op('R')
                .op('t').op('R')
                .op('s')
                .op('.').bytes();
    }

    private static byte[] sixFloats() {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            b.putFloat(i * 1.5f);
        }
        return b.array();
    }

    @Test
    void handBuiltStateDictUnderAnyTopFolder() throws IOException {
        writeStoredZip(Map.of("my_weights/data.pkl", stateDictPickle("FloatStorage"), "my_weights/data/0", sixFloats()));
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            StoredTensor w = ckpt.tensor("w");
            assertThat(w.shape()).containsExactly(2, 2);
            assertThat(w.toFloatArray()).containsExactly(3f, 4.5f, 6f, 7.5f);
        }
    }

    @Test
    void zip64CentralDirectory() throws IOException {
        Path file = dir.resolve("pytorch_model.bin");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", stateDictPickle("FloatStorage"));
        entries.put("archive/data/0", sixFloats());
        Files.write(file, zip64(entries));
        try (ZipFile jdk = new ZipFile(file.toFile())) { // the builder itself is valid ZIP64
            assertThat(jdk.getInputStream(jdk.getEntry("archive/data/0")).readAllBytes()).isEqualTo(sixFloats());
        }
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            assertThat(ckpt.tensor("w").toFloatArray()).containsExactly(3f, 4.5f, 6f, 7.5f);
        }
    }

    @Test
    void refusesGlobalOsSystem() throws IOException {
        byte[] evil = new Pickle().proto().global("os", "system").str("echo pwned").op(0x85).op('R').op('.').bytes();
        writeStoredZip(Map.of("archive/data.pkl", evil));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("Refusing to unpickle").hasMessageContaining("os.system")
                .hasMessageContaining("only state_dict tensors are supported");
    }

    @Test
    void refusesStackGlobalEval() throws IOException {
        byte[] evil = new Pickle().proto().shortStr("builtins").shortStr("eval").op(0x93)
                .str("1+1").op(0x85).op('R').op('.').bytes();
        writeStoredZip(Map.of("archive/data.pkl", evil));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("builtins.eval");
    }

    @Test
    void refusesUnknownOpcodes() throws IOException {
        byte[] inst = new Pickle().proto().op('(').op('i').raw("os\nsystem\n").op('.').bytes(); // INST
        writeStoredZip(Map.of("archive/data.pkl", inst));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("Refusing to unpickle").hasMessageContaining("opcode 0x69");
    }

    @Test
    void refusesCallingAStorageClass() throws IOException {
        byte[] p = new Pickle().proto().global("torch", "FloatStorage").op(')').op('R').op('.').bytes();
        writeStoredZip(Map.of("archive/data.pkl", p));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("Refusing to unpickle");
    }

    @Test
    void truncatedPickle() throws IOException {
        byte[] full = stateDictPickle("FloatStorage");
        byte[] cut = Arrays.copyOf(full, full.length - 10);
        writeStoredZip(Map.of("archive/data.pkl", cut, "archive/data/0", sixFloats()));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("truncated or malformed");
    }

    @Test
    void missingStorageRecord() throws IOException {
        writeStoredZip(Map.of("archive/data.pkl", stateDictPickle("FloatStorage")));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("archive/data/0").hasMessageContaining("missing");
    }

    @Test
    void viewPastTheEndOfItsStorage() throws IOException {
        writeStoredZip(Map.of("archive/data.pkl", stateDictPickle("FloatStorage"),
                "archive/data/0", Arrays.copyOf(sixFloats(), 20)));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'w'").hasMessageContaining("storage of 20 bytes");
    }

    @Test
    void compressedEntriesAreRejected() throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(dir.resolve("pytorch_model.bin")))) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(stateDictPickle("FloatStorage"));
            zip.putNextEntry(new ZipEntry("archive/data/0"));
            zip.write(sixFloats());
        }
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("compressed");
    }

    @ParameterizedTest
    @ValueSource(longs = {-1L, Long.MAX_VALUE - 10, 1L << 62})
    void zip64LocalHeaderOffsetOutsideTheFileIsATypedError(long offset) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", stateDictPickle("FloatStorage"));
        entries.put("archive/data/0", sixFloats());
        byte[] zip = zip64(entries);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int cd = 0;
        while (b.getInt(cd) != 0x02014b50) {
            cd++;
        }
        int nameLength = b.getShort(cd + 28);
        b.putLong(cd + 46 + nameLength + 4 + 16, offset);   // the ZIP64 extra's local header offset of data.pkl
        Files.write(dir.resolve("pytorch_model.bin"), zip);
        assertRefusedQuickly(CheckpointException.class, "is corrupted");
    }

    @Test
    void zip64CentralDirectoryOffsetThatWouldWrapIsRefused() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", stateDictPickle("FloatStorage"));
        entries.put("archive/data/0", sixFloats());
        byte[] zip = zip64(entries);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int z64 = zip.length - 22 - 20 - 56;   // EOCD, ZIP64 locator, ZIP64 end record
        assertThat(b.getInt(z64)).isEqualTo(0x06064b50);
        b.putLong(z64 + 48, Long.MAX_VALUE - 100);   // + the directory's size wraps negative
        Files.write(dir.resolve("pytorch_model.bin"), zip);
        assertRefusedQuickly(CheckpointException.class, "central directory", "outside the file");
    }

    @Test
    void storageOffsetOf2To62IsRefusedNotWrapped() throws IOException {
        // 2^62 floats = 2^64 bytes: a plain multiply wraps to 0 and the view would pass the bounds check.
        byte[] p = stateDictPickle("FloatStorage", b -> b.long1(1L << 62));
        writeStoredZip(Map.of("archive/data.pkl", p, "archive/data/0", sixFloats()));
        assertRefusedQuickly(CheckpointException.class, "'w'", "storage offset 4611686018427387904");
    }

    @Test
    void storageOffsetJustPastTheStorageIsRefused() throws IOException {
        byte[] p = stateDictPickle("FloatStorage", b -> b.long1(3));
        writeStoredZip(Map.of("archive/data.pkl", p, "archive/data/0", sixFloats()));
        assertRefusedQuickly(CheckpointException.class, "'w'", "needs bytes [12, 28) of a storage of 24 bytes");
    }

    @Test
    void noneStorageOffsetIsATypedError() throws IOException {
        byte[] p = stateDictPickle("FloatStorage", b -> b.op('N'));
        writeStoredZip(Map.of("archive/data.pkl", p, "archive/data/0", sixFloats()));
        assertRefusedQuickly(CheckpointException.class, "Refusing to unpickle",
                "tensor storage offset is None, expected an integer");
    }

    @Test
    void negativeStorageOffsetIsRefused() throws IOException {
        byte[] p = stateDictPickle("FloatStorage", b -> b.long1(-1));
        writeStoredZip(Map.of("archive/data.pkl", p, "archive/data/0", sixFloats()));
        assertRefusedQuickly(CheckpointException.class, "storage offset -1 is negative");
    }

    @Test
    void tuplesNested40DeepSharingChildrenAreRefusedFast() throws IOException {
        // Each level holds the previous one twice: 130-odd bytes, but hashing by content costs 2^40.
        Pickle p = new Pickle().proto().op('}').int1(0);
        for (int i = 0; i < 40; i++) {
            p.op(0x94).op('h').op(i).op(0x86); // MEMOIZE, BINGET i, TUPLE2
        }
        byte[] bytes = p.int1(1).op('s').op('.').bytes();
        assertThat(bytes.length).isLessThan(180);
        writeStoredZip(Map.of("archive/data.pkl", bytes));
        assertRefusedQuickly(CheckpointException.class, "Refusing to unpickle", "nested deeper than 32");
    }

    @Test
    void tuples24DeepAsADictKeyAreRefusedFast() throws IOException {
        // Under the depth budget, so the key check must refuse it before anything hashes it (72 s and 3.6 GB before).
        Pickle p = new Pickle().proto().op('}').int1(0);
        for (int i = 0; i < 24; i++) {
            p.op(0x94).op('h').op(i).op(0x86);
        }
        writeStoredZip(Map.of("archive/data.pkl", p.int1(1).op('s').op('.').bytes()));
        assertRefusedQuickly(CheckpointException.class, "a dict key of type a tuple");
    }

    @Test
    void selfContainingListAsADictKeyIsATypedError() throws IOException {
        // l = []; l.append(l); {l: 1} -- hashing l recursed until StackOverflowError.
        byte[] p = new Pickle().proto().op('}').op(']').op('q').op(0).op('h').op(0).op('a')
                .int1(1).op('u').op('.').bytes();
        byte[] withMark = new Pickle().proto().op('}').op('(').op(']').op('q').op(0).op('h').op(0).op('a')
                .int1(1).op('u').op('.').bytes();
        writeStoredZip(Map.of("archive/data.pkl", withMark));
        assertRefusedQuickly(CheckpointException.class, "a dict key of type a list");
        writeStoredZip(Map.of("archive/data.pkl", p));
        assertRefusedQuickly(CheckpointException.class, "Refusing to unpickle"); // SETITEMS without MARK
    }

    @Test
    void popPastAMarkIsAStackUnderflow() throws IOException {
        // MARK, then SETITEM needs a key and a value above it: the dict below the MARK is not theirs.
        byte[] p = new Pickle().proto().op('}').op('(').op('s').op('.').bytes();
        writeStoredZip(Map.of("archive/data.pkl", p));
        assertRefusedQuickly(CheckpointException.class, "stack underflow", "above the innermost MARK");
    }

    @Test
    void markPastTheStackInATupleIsAStackUnderflow() throws IOException {
        // MARK, then TUPLE2 reaches below it: the later TUPLE's mark would point past the stack's end.
        byte[] p = new Pickle().proto().op('}').int1(1).op('(').int1(2).op(0x86).op('t').op('.').bytes();
        writeStoredZip(Map.of("archive/data.pkl", p));
        assertRefusedQuickly(CheckpointException.class, "stack underflow");
    }

    @Test
    void strayMarkAtStopIsRefused() throws IOException {
        byte[] p = new Pickle().proto().op('}').op('(').op('}').op('.').bytes();
        writeStoredZip(Map.of("archive/data.pkl", p));
        assertRefusedQuickly(CheckpointException.class, "a MARK is still open at STOP");
    }

    @Test
    void emptyStackAtStopIsAStackUnderflow() throws IOException {
        writeStoredZip(Map.of("archive/data.pkl", new Pickle().proto().op('.').bytes()));
        assertRefusedQuickly(CheckpointException.class, "stack underflow", "the stack holds 0");
    }

    @Test
    void nonIntegerShapeIsATypedError() throws IOException {
        byte[] p = new Pickle().proto().op('}').str("w").global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").int1(6).op('t').op('Q')
                .int1(0).str("2").op(0x85).int1(1).op(0x85).op(0x89).op('N').op('t').op('R').op('s').op('.').bytes();
        writeStoredZip(Map.of("archive/data.pkl", p, "archive/data/0", sixFloats()));
        assertRefusedQuickly(CheckpointException.class, "tensor shape entry 0 is a string, expected an integer");
    }

    /** A hostile pickle must be refused with a typed error, and quickly: the bugs were hangs and stack overflows. */
    private void assertRefusedQuickly(Class<? extends Throwable> type, String... messageParts) {
        Throwable thrown = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> {
                    try (Checkpoint ignored = Checkpoint.open(dir)) {
                        return null;
                    } catch (Throwable t) {
                        return t;
                    }
                });
        assertThat(thrown).isInstanceOf(type);
        for (String part : messageParts) {
            assertThat(thrown).hasMessageContaining(part);
        }
    }

    @Test
    void notAZipAtAll() throws IOException {
        Files.writeString(dir.resolve("pytorch_model.bin"), "<html>404 Not Found</html>");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not a torch.save zip archive");
    }

    private void writeStoredZip(Map<String, byte[]> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(dir.resolve("pytorch_model.bin"));
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : new TreeMap<>(entries).entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                entry.setCompressedSize(e.getValue().length);
                entry.setCrc(crc(e.getValue()));
                zip.putNextEntry(entry);
                zip.write(e.getValue());
            }
        }
    }

    /** A stored zip whose sizes and offsets all live in ZIP64 extra fields, as for files over 4 GB. */
    private static byte[] zip64(Map<String, byte[]> entries) {
        ByteBuffer out = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer cd = ByteBuffer.allocate(2048).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] data = e.getValue();
            long local = out.position();
            out.putInt(0x04034b50).putShort((short) 45).putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt((int) crc(data)).putInt(-1).putInt(-1).putShort((short) name.length).putShort((short) 20)
                    .put(name).putShort((short) 1).putShort((short) 16).putLong(data.length).putLong(data.length)
                    .put(data);
            cd.putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0).putShort((short) 0)
                    .putInt(0).putInt((int) crc(data)).putInt(-1).putInt(-1).putShort((short) name.length)
                    .putShort((short) 28).putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt(-1).put(name).putShort((short) 1).putShort((short) 24).putLong(data.length)
                    .putLong(data.length).putLong(local);
        }
        long cdOffset = out.position();
        out.put(cd.flip());
        long z64 = out.position();
        out.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                .putLong(entries.size()).putLong(entries.size()).putLong(z64 - cdOffset).putLong(cdOffset);
        out.putInt(0x07064b50).putInt(0).putLong(z64).putInt(1);
        out.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) -1).putShort((short) -1)
                .putInt(-1).putInt(-1).putShort((short) 0);
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    private static long crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    /** Just enough of a pickle assembler to write the opcodes torch.save uses (protocol 2). */
    private static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle proto() {
            return op(0x80).op(2);
        }

        Pickle op(int b) {
            out.write(b);
            return this;
        }

        Pickle raw(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Pickle global(String module, String name) {
            return op('c').raw(module + "\n" + name + "\n");
        }

        Pickle str(String s) { // BINUNICODE
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
            return this;
        }

        Pickle shortStr(String s) { // SHORT_BINUNICODE
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op(0x8c).op(b.length);
            out.writeBytes(b);
            return this;
        }

        Pickle int1(int v) { // BININT1
            return op('K').op(v);
        }

        Pickle long1(long v) { // LONG1, 8 bytes little-endian two's complement
            op(0x8a).op(8);
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
