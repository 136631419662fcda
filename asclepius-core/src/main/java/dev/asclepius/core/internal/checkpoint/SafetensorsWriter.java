package dev.asclepius.core.internal.checkpoint;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.asclepius.core.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Streaming safetensors writer for random-weight models in demos, benchmarks and tests. Values are
 * generated per element and written through a small buffer, so output of many GB needs no heap.
 */
public final class SafetensorsWriter {
    private static final int BUFFER_BYTES = 1 << 20;

    /** One tensor to write; values are produced in row-major order and converted to {@code type}. */
    public record Entry(String name, StorageType type, long[] shape, ValueSource values) {}

    @FunctionalInterface
    public interface ValueSource {
        /** The value at row-major element {@code index}. */
        float value(long index);
    }

    private SafetensorsWriter() {}

    public static void write(Path file, List<Entry> entries, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Entry e : entries) {
            long bytes = Shapes.byteSize(e.shape(), e.type());
            JsonObject t = new JsonObject();
            t.addProperty("dtype", e.type().name());
            JsonArray shape = new JsonArray();
            for (long d : e.shape()) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            t.add("data_offsets", offsets);
            if (header.has(e.name())) {
                throw new IllegalArgumentException("duplicate tensor name " + e.name());
            }
            header.add(e.name(), t);
            offset += bytes;
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        // Pad with spaces so tensor data starts 8-byte aligned, as the reference writer does.
        int padded = (json.length + 7) & ~7;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(padded);
            writeAll(out, buf.flip());
            ByteBuffer headerBuf = ByteBuffer.allocate(padded);
            headerBuf.put(json);
            while (headerBuf.hasRemaining()) {
                headerBuf.put((byte) ' ');
            }
            writeAll(out, headerBuf.flip());
            for (Entry e : entries) {
                writeValues(out, buf, e);
            }
        } catch (IOException e) {
            throw new CheckpointException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes model-00001-of-0000N.safetensors ... plus model.safetensors.index.json, starting a new shard
     * before a tensor that would take the current one past maxShardBytes (a larger tensor gets a shard alone).
     */
    public static void writeSharded(Path dir, List<Entry> entries, long maxShardBytes) {
        List<List<Entry>> shards = new ArrayList<>();
        long current = 0;
        long total = 0;
        for (Entry e : entries) {
            long bytes = Shapes.byteSize(e.shape(), e.type());
            if (shards.isEmpty() || (current > 0 && current + bytes > maxShardBytes)) {
                shards.add(new ArrayList<>());
                current = 0;
            }
            shards.get(shards.size() - 1).add(e);
            current += bytes;
            total += bytes;
        }
        Map<String, String> weightMap = new TreeMap<>();
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < shards.size(); i++) {
                String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
                write(dir.resolve(name), shards.get(i), Map.of("format", "pt"));
                shards.get(i).forEach(e -> weightMap.put(e.name(), name));
            }
            JsonObject index = new JsonObject();
            JsonObject meta = new JsonObject();
            meta.addProperty("total_size", total);
            index.add("metadata", meta);
            JsonObject map = new JsonObject();
            weightMap.forEach(map::addProperty);
            index.add("weight_map", map);
            Files.writeString(dir.resolve("model.safetensors.index.json"), new Gson().toJson(index));
        } catch (IOException e) {
            throw new CheckpointException("Cannot write sharded checkpoint to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void writeValues(FileChannel out, ByteBuffer buf, Entry e) throws IOException {
        long n = Shapes.numel(e.shape());
        buf.clear();
        for (long i = 0; i < n; i++) {
            if (buf.remaining() < 4) {
                writeAll(out, buf.flip());
                buf.clear();
            }
            float v = e.values().value(i);
            switch (e.type()) {
                case F32 -> buf.putFloat(v);
                case F16 -> buf.putShort(HalfFloats.floatToF16(v));
                case BF16 -> buf.putShort(HalfFloats.floatToBf16(v));
            }
        }
        writeAll(out, buf.flip());
    }

    private static void writeAll(FileChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }
}
