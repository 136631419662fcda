package dev.asclepius.core.internal.checkpoint;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.asclepius.core.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** A Hugging Face shard index: {"metadata": {...}, "weight_map": {tensor name: shard file name}}. */
record ShardIndex(Path indexFile, Map<String, String> weightMap) {

    static ShardIndex read(Path indexFile) {
        JsonObject weightMap;
        try {
            JsonObject root = JsonParser.parseString(Files.readString(indexFile)).getAsJsonObject();
            weightMap = root.getAsJsonObject("weight_map");
        } catch (IOException e) {
            throw new CheckpointException("Cannot read shard index " + indexFile + ": " + e.getMessage(), e);
        } catch (JsonParseException | IllegalStateException | ClassCastException e) {
            throw new CheckpointException("Shard index " + indexFile + " is not valid JSON: " + e.getMessage(), e);
        }
        if (weightMap == null || weightMap.isEmpty()) {
            throw new CheckpointException("Shard index " + indexFile + " has no \"weight_map\" entries.");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : weightMap.entrySet()) {
            if (!e.getValue().isJsonPrimitive()) {
                throw new CheckpointException("Shard index " + indexFile + ": weight_map entry '" + e.getKey()
                        + "' is not a file name.");
            }
            map.put(e.getKey(), e.getValue().getAsString());
        }
        return new ShardIndex(indexFile, map);
    }

    /** The shard files in first-mention order, checked to exist beside the index. */
    Set<Path> shardFiles() {
        Path dir = indexFile.toAbsolutePath().getParent();
        Set<Path> files = new LinkedHashSet<>();
        for (String shard : weightMap.values()) {
            Path file = dir.resolve(shard).normalize();
            if (!dir.equals(file.getParent())) {
                // A name with folders could point anywhere on disk; shards always lie beside the index.
                throw new CheckpointException("Shard index " + indexFile + " names shard '" + shard
                        + "' outside its folder.");
            }
            if (!Files.isRegularFile(file)) {
                throw new CheckpointException("Shard '" + shard + "' named by " + indexFile
                        + " is missing from " + dir + ". Download it again.");
            }
            files.add(file);
        }
        return files;
    }
}
