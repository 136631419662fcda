package dev.asclepius.llamacpp.internal;

import dev.asclepius.core.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a GGUF version 3 file: header, metadata, tensor descriptors, then the tensor data, each tensor
 * aligned to {@link #ALIGNMENT} bytes. Tensor data is pulled row by row from a {@link RowSource} and
 * written through a small buffer, so a converter never holds more than one row of a model in memory.
 */
public final class GgufWriter {
    public static final int ALIGNMENT = 32;
    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
    static final int VERSION = 3;

    // GGUF metadata value types
    static final int T_UINT32 = 4;
    static final int T_INT32 = 5;
    static final int T_FLOAT32 = 6;
    static final int T_BOOL = 7;
    static final int T_STRING = 8;
    static final int T_ARRAY = 9;

    /** Produces one tensor's rows in file order. */
    public interface RowSource {
        /** Row {@code r} (of length {@code ne0}) as floats; may return the same array each call. */
        float[] row(long r);
    }

    /** Called after each tensor. */
    public interface Progress {
        void tensorWritten(String name, long doneBytes, long totalBytes);
    }

    private record Tensor(String name, long[] ne, GgmlType type, RowSource rows, long bytes) {
    }

    private final ByteBuffer meta = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer metaBuf = meta;
    private int kvCount;
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter string(String key, String value) {
        key(key, T_STRING);
        putString(value);
        return this;
    }

    public GgufWriter u32(String key, long value) {
        key(key, T_UINT32);
        ensure(4).putInt((int) value);
        return this;
    }

    public GgufWriter i32(String key, int value) {
        key(key, T_INT32);
        ensure(4).putInt(value);
        return this;
    }

    public GgufWriter f32(String key, float value) {
        key(key, T_FLOAT32);
        ensure(4).putFloat(value);
        return this;
    }

    public GgufWriter bool(String key, boolean value) {
        key(key, T_BOOL);
        ensure(1).put((byte) (value ? 1 : 0));
        return this;
    }

    public GgufWriter strings(String key, List<String> values) {
        key(key, T_ARRAY);
        ensure(12).putInt(T_STRING).putLong(values.size());
        for (String v : values) {
            putString(v);
        }
        return this;
    }

    public GgufWriter floats(String key, float[] values) {
        key(key, T_ARRAY);
        ensure(12).putInt(T_FLOAT32).putLong(values.length);
        ensure(4L * values.length);
        for (float v : values) {
            metaBuf.putFloat(v);
        }
        return this;
    }

    public GgufWriter ints(String key, int[] values) {
        key(key, T_ARRAY);
        ensure(12).putInt(T_INT32).putLong(values.length);
        ensure(4L * values.length);
        for (int v : values) {
            metaBuf.putInt(v);
        }
        return this;
    }

    /**
     * Adds a tensor; {@code ne} is in ggml order (ne[0] is the row length, i.e. the last dimension of the
     * PyTorch shape).
     */
    public GgufWriter tensor(String name, long[] ne, GgmlType type, RowSource rows) {
        if (ne[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": row length " + ne[0] + " is not a multiple of "
                    + type.blockSize() + " for " + type);
        }
        long nrows = 1;
        for (int i = 1; i < ne.length; i++) {
            nrows *= ne[i];
        }
        tensors.add(new Tensor(name, ne.clone(), type, rows, nrows * type.rowBytes(ne[0])));
        return this;
    }

    /** Total bytes of tensor data (without padding). */
    public long dataBytes() {
        long total = 0;
        for (Tensor t : tensors) {
            total += t.bytes;
        }
        return total;
    }

    /** Writes everything to {@code out}, through a temporary file moved into place at the end. */
    public void write(Path out, Progress progress) {
        Path tmp = out.resolveSibling(out.getFileName() + ".part");
        try {
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(ch, progress);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error matters more
            }
            throw new CheckpointException("Cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    private void writeTo(FileChannel ch, Progress progress) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        head.putInt(MAGIC).putInt(VERSION).putLong(tensors.size()).putLong(kvCount).flip();
        writeFully(ch, head);
        ByteBuffer kv = metaBuf.duplicate().flip();
        writeFully(ch, kv);
        long offset = 0;
        for (Tensor t : tensors) {
            byte[] name = t.name.getBytes(StandardCharsets.UTF_8);
            ByteBuffer info = ByteBuffer.allocate(8 + name.length + 4 + 8 * t.ne.length + 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
            info.putLong(name.length).put(name).putInt(t.ne.length);
            for (long d : t.ne) {
                info.putLong(d);
            }
            info.putInt(t.type.id()).putLong(offset).flip();
            writeFully(ch, info);
            offset = align(offset + t.bytes);
        }
        pad(ch);
        ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long total = dataBytes();
        long done = 0;
        for (Tensor t : tensors) {
            long rowBytes = t.type.rowBytes(t.ne[0]);
            long nrows = t.bytes / rowBytes;
            if (rowBytes > buf.capacity()) {
                buf = ByteBuffer.allocate((int) rowBytes).order(ByteOrder.LITTLE_ENDIAN);
            }
            for (long r = 0; r < nrows; r++) {
                if (buf.remaining() < rowBytes) {
                    buf.flip();
                    writeFully(ch, buf);
                    buf.clear();
                }
                float[] row = t.rows.row(r);
                if (row.length != t.ne[0]) {
                    throw new IllegalStateException(t.name + ": row of " + row.length + " values, expected " + t.ne[0]);
                }
                Quantizer.encode(row, t.type, buf);
            }
            buf.flip();
            writeFully(ch, buf);
            buf.clear();
            pad(ch);
            done += t.bytes;
            progress.tensorWritten(t.name, done, total);
        }
    }

    private static void pad(FileChannel ch) throws IOException {
        long pos = ch.position();
        int n = (int) (align(pos) - pos);
        if (n > 0) {
            writeFully(ch, ByteBuffer.allocate(n));
        }
    }

    static long align(long v) {
        return (v + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private void key(String key, int type) {
        kvCount++;
        putString(key);
        ensure(4).putInt(type);
    }

    private void putString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ensure(8L + b.length).putLong(b.length).put(b);
    }

    private ByteBuffer ensure(long n) {
        if (metaBuf.remaining() < n) {
            long cap = Math.max(metaBuf.capacity() * 2L, metaBuf.position() + n + 1024);
            ByteBuffer bigger = ByteBuffer.allocate(Math.toIntExact(cap)).order(ByteOrder.LITTLE_ENDIAN);
            metaBuf.flip();
            bigger.put(metaBuf);
            metaBuf = bigger;
        }
        return metaBuf;
    }
}
