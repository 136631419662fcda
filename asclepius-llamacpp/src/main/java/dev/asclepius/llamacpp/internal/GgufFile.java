package dev.asclepius.llamacpp.internal;

import dev.asclepius.core.CheckpointException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file's metadata and tensor directory, read without loading tensor data; {@link #tensor} reads one
 * tensor back as floats. Used to validate a file before handing it to llama.cpp (a clear error instead of
 * a native failure) and by the converter's tests to read back what it wrote.
 *
 * @param metadata   key to value: Long for integers, Float/Double, Boolean, String, or a List of those
 * @param dataOffset file offset of the tensor data section
 */
public record GgufFile(Path path, int version, Map<String, Object> metadata, List<TensorInfo> tensors, long dataOffset) {

    /** One tensor's descriptor; {@code ne} in ggml order (ne[0] is the row length). */
    public record TensorInfo(String name, long[] ne, GgmlType type, long offset) {
        public long elements() {
            long n = 1;
            for (long d : ne) {
                n *= d;
            }
            return n;
        }

        public long bytes() {
            return elements() / ne[0] * type.rowBytes(ne[0]);
        }
    }

    /** Reads the header of {@code path}; metadata arrays longer than {@code maxArray} are not kept (only their length). */
    public static GgufFile read(Path path) {
        try (InputStream raw = Files.newInputStream(path);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            Le le = new Le(in);
            int magic = le.i32();
            if (magic != GgufWriter.MAGIC) {
                throw new CheckpointException(path + " is not a GGUF file (it does not start with \"GGUF\"). "
                        + "Pass a .gguf model file, or convert a Hugging Face checkpoint with `asclepius convert`.");
            }
            int version = le.i32();
            if (version < 2 || version > 3) {
                throw new CheckpointException(path + " is GGUF version " + version + "; llama.cpp reads versions 2 and 3");
            }
            long nTensors = le.i64();
            long nKv = le.i64();
            Map<String, Object> meta = new LinkedHashMap<>();
            for (long i = 0; i < nKv; i++) {
                String key = le.str();
                meta.put(key, le.value(le.i32()));
            }
            List<TensorInfo> tensors = new ArrayList<>();
            for (long i = 0; i < nTensors; i++) {
                String name = le.str();
                int dims = le.i32();
                long[] ne = new long[dims];
                for (int d = 0; d < dims; d++) {
                    ne[d] = le.i64();
                }
                int type = le.i32();
                long off = le.i64();
                tensors.add(new TensorInfo(name, ne, GgmlType.ofId(type), off));
            }
            long alignment = meta.get("general.alignment") instanceof Long a ? a : GgufWriter.ALIGNMENT;
            long dataOffset = (le.pos + alignment - 1) / alignment * alignment;
            return new GgufFile(path, version, Collections.unmodifiableMap(meta), List.copyOf(tensors), dataOffset);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("No model file " + path + ": check the path, or download the .gguf file first");
        } catch (EOFException e) {
            throw new CheckpointException(path + " is truncated: its GGUF header ends early. Download or convert it again.", e);
        } catch (IOException e) {
            throw new CheckpointException("Cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    public Optional<Object> get(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    public Optional<Long> integer(String key) {
        return get(key).filter(Long.class::isInstance).map(Long.class::cast);
    }

    public Optional<String> string(String key) {
        return get(key).filter(String.class::isInstance).map(String.class::cast);
    }

    public Optional<TensorInfo> tensorInfo(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The tensor's values, dequantized, in file order. */
    public float[] tensor(String name) {
        TensorInfo t = tensorInfo(name).orElseThrow(() -> new CheckpointException("No tensor " + name + " in " + path));
        float[] out = new float[Math.toIntExact(t.elements())];
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, dataOffset + t.offset(), t.bytes())
                    .order(ByteOrder.LITTLE_ENDIAN);
            Quantizer.decode(buf, t.type(), out, 0, out.length);
        } catch (IOException e) {
            throw new CheckpointException("Cannot read tensor " + name + " from " + path + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Little-endian reader that counts its position. */
    private static final class Le {
        private final DataInputStream in;
        private final byte[] b8 = new byte[8];
        long pos;

        Le(DataInputStream in) {
            this.in = in;
        }

        private ByteBuffer read(int n) throws IOException {
            in.readFully(b8, 0, n);
            pos += n;
            return ByteBuffer.wrap(b8, 0, n).order(ByteOrder.LITTLE_ENDIAN);
        }

        int i32() throws IOException {
            return read(4).getInt();
        }

        long i64() throws IOException {
            return read(8).getLong();
        }

        String str() throws IOException {
            long n = i64();
            if (n < 0 || n > (1 << 24)) {
                throw new IOException("implausible string length " + n + " at offset " + pos);
            }
            byte[] b = new byte[(int) n];
            in.readFully(b);
            pos += n;
            return new String(b, StandardCharsets.UTF_8);
        }

        Object value(int type) throws IOException {
            return switch (type) {
                case 0 -> (long) (read(1).get() & 0xFF);
                case 1 -> (long) read(1).get();
                case 2 -> (long) (read(2).getShort() & 0xFFFF);
                case 3 -> (long) read(2).getShort();
                case 4 -> read(4).getInt() & 0xFFFFFFFFL;
                case 5 -> (long) read(4).getInt();
                case 6 -> read(4).getFloat();
                case 7 -> read(1).get() != 0;
                case 8 -> str();
                case 9 -> array();
                case 10, 11 -> i64();
                case 12 -> read(8).getDouble();
                default -> throw new IOException("unknown GGUF value type " + type + " at offset " + pos);
            };
        }

        private List<Object> array() throws IOException {
            int type = i32();
            long n = i64();
            if (n < 0 || n > (1L << 28)) {
                throw new IOException("implausible array length " + n + " at offset " + pos);
            }
            List<Object> out = new ArrayList<>((int) n);
            for (long i = 0; i < n; i++) {
                out.add(value(type));
            }
            return out;
        }
    }
}
