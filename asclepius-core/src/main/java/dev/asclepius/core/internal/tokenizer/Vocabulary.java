package dev.asclepius.core.internal.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.asclepius.core.CheckpointException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Token string to id, read from {@code tokenizer.json} (the model vocabulary plus {@code added_tokens}). DJL's
 * binding has no token-to-id lookup nor a vocabulary size, so both come from the file.
 */
final class Vocabulary {
    private final Map<String, Integer> ids;
    private final int size;

    private Vocabulary(Map<String, Integer> ids) {
        this.ids = ids;
        this.size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    }

    static Vocabulary read(Path tokenizerJson) {
        JsonObject root = JsonFiles.readObject(tokenizerJson);
        Map<String, Integer> ids = new HashMap<>();
        try {
            JsonElement vocab = root.getAsJsonObject("model").get("vocab");
            if (vocab.isJsonObject()) { // BPE, WordPiece, WordLevel: {"token": id}
                vocab.getAsJsonObject().entrySet().forEach(e -> ids.put(e.getKey(), e.getValue().getAsInt()));
            } else { // Unigram: [["token", score], ...], the id is the position
                var pieces = vocab.getAsJsonArray();
                for (int i = 0; i < pieces.size(); i++) {
                    ids.put(pieces.get(i).getAsJsonArray().get(0).getAsString(), i);
                }
            }
            JsonElement added = root.get("added_tokens");
            if (added != null && added.isJsonArray()) {
                for (JsonElement t : added.getAsJsonArray()) {
                    JsonObject token = t.getAsJsonObject();
                    ids.put(token.get("content").getAsString(), token.get("id").getAsInt());
                }
            }
        } catch (RuntimeException e) {
            throw new CheckpointException("Unexpected vocabulary layout in " + tokenizerJson.toAbsolutePath()
                    + " (model.vocab / added_tokens): " + e.getMessage(), e);
        }
        return new Vocabulary(ids);
    }

    /** The id of {@code token}, or -1 when it is not in the vocabulary. */
    int id(String token) {
        return ids.getOrDefault(token, -1);
    }

    /** One past the largest id. */
    int size() {
        return size;
    }
}
