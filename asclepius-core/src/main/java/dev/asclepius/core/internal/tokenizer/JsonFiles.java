package dev.asclepius.core.internal.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.CheckpointException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reading the tokenizer's JSON files, with errors that name the file. */
final class JsonFiles {
    private JsonFiles() {
    }

    static JsonObject readObject(Path file) {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            JsonElement root = JsonParser.parseReader(in);
            if (!root.isJsonObject()) {
                throw new CheckpointException(file.toAbsolutePath() + " is not a JSON object");
            }
            return root.getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            if (e instanceof CheckpointException ce) {
                throw ce;
            }
            throw new CheckpointException("Cannot read " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** The file's object, or an empty object when the file does not exist (these config files are optional). */
    static JsonObject readOptional(Path file) {
        return Files.isRegularFile(file) ? readObject(file) : new JsonObject();
    }

    /** A boolean member, empty when absent or null. */
    static Optional<Boolean> bool(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? Optional.empty() : Optional.of(e.getAsBoolean());
    }

    /** A special-token member, written either as {@code "<s>"} or as {@code {"content": "<s>", ...}}. */
    static Optional<String> token(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return Optional.empty();
        }
        if (e.isJsonObject()) {
            JsonElement content = e.getAsJsonObject().get("content");
            return content == null || content.isJsonNull() ? Optional.empty() : Optional.of(content.getAsString());
        }
        return Optional.of(e.getAsString());
    }
}
