package dev.asclepius.core.internal.checkpoint;

import dev.asclepius.core.CheckpointException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The weights of a model folder, whatever format they ship in. Opening reads only headers and
 * directories; {@link #tensor} memory-maps one tensor's region on first use.
 */
public final class Checkpoint implements AutoCloseable {
    private static final String ST_INDEX = "model.safetensors.index.json";
    private static final String ST_SINGLE = "model.safetensors";
    private static final String BIN_INDEX = "pytorch_model.bin.index.json";
    private static final String BIN_SINGLE = "pytorch_model.bin";
    private static final List<String> LOOKED_FOR = List.of(ST_INDEX, ST_SINGLE, BIN_INDEX, BIN_SINGLE);

    private interface FileReader {
        List<TensorLocation> read(Path file, FileChannel channel) throws IOException;
    }

    private final String format;
    private final Map<String, TensorLocation> locations; // sorted by name
    private final Map<Path, FileChannel> channels;
    private final Map<String, StoredTensor> mapped = new HashMap<>();
    private final Map<String, Unmapper.Mapping> mappings = new HashMap<>();
    private boolean closed;

    private Checkpoint(String format, Map<String, TensorLocation> locations, Map<Path, FileChannel> channels) {
        this.format = format;
        this.locations = locations;
        this.channels = channels;
    }

    /**
     * Detects and opens, in this order: model.safetensors.index.json (sharded), model.safetensors,
     * pytorch_model.bin.index.json (sharded), pytorch_model.bin.
     */
    public static Checkpoint open(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            throw new CheckpointException("Model folder " + modelDir
                    + (Files.exists(modelDir) ? " is not a folder." : " does not exist."));
        }
        if (Files.isRegularFile(modelDir.resolve(ST_INDEX))) {
            return openSharded(modelDir.resolve(ST_INDEX), "safetensors", SafetensorsReader::read);
        }
        if (Files.isRegularFile(modelDir.resolve(ST_SINGLE))) {
            return openFiles(List.of(modelDir.resolve(ST_SINGLE)), "safetensors", SafetensorsReader::read, null);
        }
        if (Files.isRegularFile(modelDir.resolve(BIN_INDEX))) {
            return openSharded(modelDir.resolve(BIN_INDEX), "pytorch .bin", TorchBinReader::read);
        }
        if (Files.isRegularFile(modelDir.resolve(BIN_SINGLE))) {
            return openFiles(List.of(modelDir.resolve(BIN_SINGLE)), "pytorch .bin", TorchBinReader::read, null);
        }
        throw new CheckpointException("No weights found in " + modelDir + ": looked for " + String.join(", ", LOOKED_FOR)
                + "; the folder contains " + describeContents(modelDir) + ".");
    }

    private static Checkpoint openSharded(Path indexFile, String kind, FileReader reader) {
        ShardIndex index = ShardIndex.read(indexFile);
        List<Path> shards = List.copyOf(index.shardFiles());
        return openFiles(shards, kind + " (" + shards.size() + " shards)", reader, index);
    }

    private static Checkpoint openFiles(List<Path> files, String format, FileReader reader, ShardIndex index) {
        Map<Path, FileChannel> channels = new LinkedHashMap<>();
        try {
            Map<String, TensorLocation> locations = new TreeMap<>();
            for (Path file : files) {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                channels.put(file, channel);
                for (TensorLocation t : reader.read(file, channel)) {
                    TensorLocation previous = locations.put(t.name(), t);
                    if (previous != null) {
                        throw new CheckpointException("Tensor '" + t.name() + "' appears in both " + previous.file()
                                + " and " + file + ".");
                    }
                }
            }
            if (index != null) {
                checkIndexMatches(index, locations);
            }
            return new Checkpoint(format, Collections.unmodifiableMap(locations), channels);
        } catch (IOException | RuntimeException e) {
            closeAll(channels);
            if (e instanceof CheckpointException ce) {
                throw ce;
            }
            throw new CheckpointException("Cannot read weights " + files + ": " + e, e);
        }
    }

    /** A tensor the index places in a shard that lacks it would otherwise surface only when a loader asks for it. */
    private static void checkIndexMatches(ShardIndex index, Map<String, TensorLocation> locations) {
        for (Map.Entry<String, String> e : index.weightMap().entrySet()) {
            TensorLocation t = locations.get(e.getKey());
            if (t == null || !t.file().getFileName().toString().equals(e.getValue())) {
                throw new CheckpointException("Shard index " + index.indexFile() + " places tensor '" + e.getKey()
                        + "' in " + e.getValue() + ", but "
                        + (t == null ? "no shard contains it." : "it is in " + t.file().getFileName() + "."));
            }
        }
    }

    private static String describeContents(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            if (names.isEmpty()) {
                return "nothing (it is empty)";
            }
            int shown = Math.min(names.size(), 20);
            return String.join(", ", names.subList(0, shown)) + (shown < names.size() ? ", ..." : "");
        } catch (IOException e) {
            return "(cannot list: " + e.getMessage() + ")";
        }
    }

    /** "safetensors", "safetensors (N shards)", "pytorch .bin" or "pytorch .bin (N shards)". */
    public String format() {
        return format;
    }

    /** Tensor names, sorted. */
    public Set<String> tensorNames() {
        return locations.keySet();
    }

    public boolean contains(String name) {
        return locations.containsKey(name);
    }

    /** The tensor, mapped on first request and cached until {@link #close}. */
    public synchronized StoredTensor tensor(String name) {
        if (closed) {
            throw new IllegalStateException("Checkpoint is closed");
        }
        TensorLocation t = locations.get(name);
        if (t == null) {
            throw new CheckpointException("No tensor '" + name + "' in " + channels.keySet() + " (" + format + ", "
                    + locations.size() + " tensors).");
        }
        StoredTensor cached = mapped.get(name);
        if (cached != null) {
            return cached;
        }
        try {
            Unmapper.Mapping mapping = Unmapper.map(channels.get(t.file()), t.offset(), t.byteLength());
            StoredTensor tensor = new StoredTensor(name, t.type(), t.shape(), mapping.buffer().order(ByteOrder.LITTLE_ENDIAN));
            mapped.put(name, tensor);
            mappings.put(name, mapping);
            return tensor;
        } catch (IOException e) {
            throw new CheckpointException("Cannot map tensor '" + name + "' from " + t.file() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Unmaps {@code name}'s data now, so a loader that has copied or converted a tensor does not keep the
     * file's pages resident next to the copy (a 13B fp32 checkpoint is 52 GB of mappings). The caller
     * guarantees that nothing views the data any more: no NDArray over it and no buffer from
     * {@link StoredTensor#data()}. A later {@link #tensor} call maps it again.
     */
    public synchronized void release(String name) {
        mapped.remove(name);
        Unmapper.Mapping mapping = mappings.remove(name);
        if (mapping != null) {
            mapping.unmap();
        }
    }

    /** Bytes of {@code name}'s data in the file (0 for a name not in the checkpoint). */
    public long byteLength(String name) {
        TensorLocation t = locations.get(name);
        return t == null ? 0 : t.byteLength();
    }

    /** Sum of every tensor's data bytes; tensors sharing one .bin storage (tied weights) each count in full. */
    public long totalBytes() {
        long total = 0;
        for (TensorLocation t : locations.values()) {
            total += t.byteLength();
        }
        return total;
    }

    /**
     * Closes the files and drops this checkpoint's references to its mappings; a mapping is unmapped when
     * the last buffer viewing it is collected, so tensors already handed out stay readable.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        mapped.clear();
        mappings.clear();
        closeAll(channels);
    }

    private static void closeAll(Map<Path, FileChannel> channels) {
        for (FileChannel c : channels.values()) {
            try {
                c.close();
            } catch (IOException ignored) {
                // Read-only channel: nothing was written that a failed close could lose.
            }
        }
    }

    @Override
    public String toString() {
        return "Checkpoint[" + format + ", " + locations.size() + " tensors]";
    }
}
