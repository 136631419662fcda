package dev.asclepius.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.llamacpp.internal.GgufFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Llama-3-shaped vocabulary (128,256 byte-level BPE tokens, grouped-query attention) converts to the
 * "gpt2" tokenizer model with the "llama-bpe" pre-tokenizer, and llama.cpp then generates what the DJL engine does.
 */
class Llama3VocabularyTest {
    static final int VOCAB = 128256;

    @Test
    void byteLevelVocabularyConvertsAndGeneratesTheSameGreedyIds(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("llama3");
        RandomModelWriter.write(dir, new RandomModelSpec("llama", VOCAB, 64, 128, 2, 4, 1, 2048, false,
                StorageType.F32, 5, 0));
        writeByteLevelTokenizer(dir);
        Path gguf = tmp.resolve("llama3.gguf");
        GgufConverter.convert(dir, gguf, GgufType.F32, GgufConverter.Listener.NONE);

        GgufFile g = GgufFile.read(gguf);
        assertThat(g.string("tokenizer.ggml.model")).contains("gpt2");
        assertThat(g.string("tokenizer.ggml.pre")).contains("llama-bpe");
        assertThat((List<?>) g.get("tokenizer.ggml.merges").orElseThrow()).hasSize(26 * 26);
        assertThat(g.integer("tokenizer.ggml.bos_token_id")).contains(128000L);

        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(16).ignoreEos(true).build();
        String prompt = "the patient was admitted with chest pain";
        GenerationResult djl;
        int[] ids;
        try (LocalModel local = LocalModel.builder(dir).threads(2).build()) {
            ids = local.tokenizer().orElseThrow().encode(prompt);
            djl = local.generate(ids, greedy);
        }
        assertThat(ids[0]).isEqualTo(128000);
        try (LlamaCppModel cpp = LlamaCppModel.builder(gguf).threads(2).build()) {
            GenerationResult r = cpp.generate(ids, greedy);
            assertThat(r.tokenIds()).isEqualTo(djl.tokenIds());
            assertThat(r.text()).isEqualTo(djl.text());
        }
    }

    /** Bytes as GPT-2 printable characters, merges of every pair of lowercase letters, reserved fillers, two specials. */
    static void writeByteLevelTokenizer(Path dir) throws IOException {
        JsonObject vocab = new JsonObject();
        int id = 0;
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            vocab.addProperty(String.valueOf((char) (printable ? b : next++)), id++);
        }
        JsonArray merges = new JsonArray();
        for (char a = 'a'; a <= 'z'; a++) {
            for (char c = 'a'; c <= 'z'; c++) {
                merges.add(a + " " + c);
                vocab.addProperty("" + a + c, id++);
            }
        }
        while (id < 128000) {
            vocab.addProperty("<|reserved_" + id + "|>", id++);
        }
        JsonArray added = new JsonArray();
        added.add(special(128000, "<|begin_of_text|>"));
        added.add(special(128001, "<|end_of_text|>"));
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.addProperty("byte_fallback", false);
        model.addProperty("ignore_merges", false);
        model.add("vocab", vocab);
        model.add("merges", merges);
        JsonObject byteLevel = new JsonObject();
        byteLevel.addProperty("type", "ByteLevel");
        byteLevel.addProperty("add_prefix_space", false);
        byteLevel.addProperty("trim_offsets", true);
        byteLevel.addProperty("use_regex", true);
        JsonObject tj = new JsonObject();
        tj.addProperty("version", "1.0");
        tj.add("added_tokens", added);
        tj.add("pre_tokenizer", byteLevel);
        tj.add("decoder", byteLevel);
        tj.add("model", model);
        Gson gson = new Gson();
        Files.writeString(dir.resolve("tokenizer.json"), gson.toJson(tj));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<|begin_of_text|>\", \"eos_token\":"
                + " \"<|end_of_text|>\", \"add_bos_token\": true, \"add_eos_token\": false}");
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"bos_token\": \"<|begin_of_text|>\", \"eos_token\":"
                + " \"<|end_of_text|>\"}");
    }

    private static JsonObject special(int id, String content) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("content", content);
        o.addProperty("single_word", false);
        o.addProperty("lstrip", false);
        o.addProperty("rstrip", false);
        o.addProperty("normalized", false);
        o.addProperty("special", true);
        return o;
    }
}
