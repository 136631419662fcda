package dev.asclepius.core.internal.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test fixtures copied into src/test/resources/fixtures (see the README there). */
final class Fixtures {
    record Case(String text, int[] ids) {
        @Override
        public String toString() {
            return text;
        }
    }

    private Fixtures() {
    }

    static Path path(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The LLaMA tokenizer bundled in the main resources for the demo model (one copy in the repository). */
    static Path llamaTokenizerDir() {
        try {
            return Path.of(Fixtures.class.getResource("/dev/asclepius/core/demo/llama-tokenizer/tokenizer.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Case> llamaCases() {
        try {
            JsonObject root = JsonParser.parseString(
                    Files.readString(path("llama-tokenizer-cases.json"), StandardCharsets.UTF_8)).getAsJsonObject();
            List<Case> cases = new ArrayList<>();
            for (JsonElement c : root.getAsJsonArray("cases")) {
                JsonObject o = c.getAsJsonObject();
                int[] ids = new int[o.getAsJsonArray("ids").size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = o.getAsJsonArray("ids").get(i).getAsInt();
                }
                cases.add(new Case(o.get("text").getAsString(), ids));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A model folder in {@code dir} with the LLaMA tokenizer.json and the given extra files (name, content). */
    static Path modelDir(Path dir, String... namesAndContents) throws IOException {
        Files.copy(llamaTokenizerDir().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        for (int i = 0; i < namesAndContents.length; i += 2) {
            Files.writeString(dir.resolve(namesAndContents[i]), namesAndContents[i + 1], StandardCharsets.UTF_8);
        }
        return dir;
    }
}
