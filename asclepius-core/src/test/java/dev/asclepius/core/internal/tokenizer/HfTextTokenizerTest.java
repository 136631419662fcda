package dev.asclepius.core.internal.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.ModelClosedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HfTextTokenizerTest {
    private static HfTextTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = HfTextTokenizer.load(Fixtures.llamaTokenizerDir());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static List<Fixtures.Case> cases() {
        return Fixtures.llamaCases();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void reproducesTheIndependentImplementationsIds(Fixtures.Case c) {
        assertThat(tokenizer.encode(c.text())).containsExactly(c.ids());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void decodeInvertsEncodeAndSkipsBos(Fixtures.Case c) {
        // The decoder strips the one space the normalizer prepends, so even leading spaces survive.
        assertThat(tokenizer.decode(tokenizer.encode(c.text()))).isEqualTo(c.text());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void tokensAlignWithIds(Fixtures.Case c) {
        List<String> tokens = tokenizer.tokens(c.text());
        assertThat(tokens).hasSize(c.ids().length);
        assertThat(tokens.get(0)).isEqualTo("<s>");
    }

    @Test
    void tokensUseMetaspaceAndByteFallback() {
        assertThat(tokenizer.tokens("Hello world")).containsExactly("<s>", "▁Hello", "▁world");
        assertThat(tokenizer.tokens("🩺")).containsExactly("<s>", "▁", "<0xF0>", "<0x9F>", "<0xA9>", "<0xBA>");
    }

    @Test
    void llamaSpecialTokensAndVocabulary() {
        assertThat(tokenizer.bosId()).isEqualTo(1);
        assertThat(tokenizer.eosId()).isEqualTo(2);
        assertThat(tokenizer.vocabSize()).isEqualTo(32000);
        assertThat(tokenizer.addsBos()).isTrue();
        assertThat(tokenizer.decode(new int[] {1, 15043, 3186, 2})).isEqualTo("Hello world");
        assertThat(tokenizer.decode(new int[] {0, 15043})).isEqualTo("Hello");
    }

    @Test
    void longTextIsNotTruncatedAt512Tokens() {
        String note = "The patient was admitted with chest pain and shortness of breath. ".repeat(250);
        int[] ids = tokenizer.encode(note);
        assertThat(ids.length).isGreaterThan(3000);
        assertThat(tokenizer.decode(ids)).isEqualTo(note);
    }

    @Test
    void ignoresConfigJsonsWrongBosAndEos(@TempDir Path dir) throws IOException {
        Files.copy(Fixtures.path("asclepius-7b-config.json"), dir.resolve("config.json"));
        Fixtures.modelDir(dir, "tokenizer_config.json",
                "{\"add_bos_token\": true, \"add_eos_token\": false, \"model_max_length\": 2048,"
                        + " \"padding_side\": \"right\", \"tokenizer_class\": \"LlamaTokenizer\"}",
                "special_tokens_map.json",
                "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\", \"pad_token\": \"<s>\", \"unk_token\": \"<unk>\"}");
        try (HfTextTokenizer t = HfTextTokenizer.load(dir)) {
            assertThat(t.bosId()).isEqualTo(1);
            assertThat(t.eosId()).isEqualTo(2);
            assertThat(t.encode("Hello world")).containsExactly(1, 15043, 3186);
        }
    }

    @Test
    void tokenObjectsInTokenizerConfig(@TempDir Path dir) throws IOException {
        Fixtures.modelDir(dir, "tokenizer_config.json",
                "{\"bos_token\": {\"content\": \"<s>\", \"lstrip\": false}, \"eos_token\": {\"content\": \"</s>\"}}");
        try (HfTextTokenizer t = HfTextTokenizer.load(dir)) {
            assertThat(t.bosId()).isEqualTo(1);
            assertThat(t.eosId()).isEqualTo(2);
        }
    }

    @Test
    void addBosFalseIsHonoredThoughThePostProcessorAddsIt(@TempDir Path dir) throws IOException {
        Fixtures.modelDir(dir, "tokenizer_config.json", "{\"add_bos_token\": false}");
        try (HfTextTokenizer t = HfTextTokenizer.load(dir)) {
            assertThat(t.encode("Hello world")).containsExactly(15043, 3186);
            assertThat(t.tokens("Hello world")).containsExactly("▁Hello", "▁world");
            assertThat(t.bosId()).isEqualTo(1);
        }
    }

    @Test
    void addEosTrueAppendsEos(@TempDir Path dir) throws IOException {
        Fixtures.modelDir(dir, "tokenizer_config.json", "{\"add_bos_token\": true, \"add_eos_token\": true}");
        try (HfTextTokenizer t = HfTextTokenizer.load(dir)) {
            assertThat(t.encode("Hello world")).containsExactly(1, 15043, 3186, 2);
        }
    }

    @Test
    void withoutConfigFilesFollowsThePostProcessorAndFindsLlamaTokens(@TempDir Path dir) throws IOException {
        // tokenizer.json alone: its TemplateProcessing adds <s>; BOS must appear exactly once.
        Fixtures.modelDir(dir);
        try (HfTextTokenizer t = HfTextTokenizer.load(dir)) {
            assertThat(t.encode("Hello world")).containsExactly(1, 15043, 3186);
            assertThat(t.bosId()).isEqualTo(1);
            assertThat(t.eosId()).isEqualTo(2);
        }
    }

    @Test
    void missingTokenizerJsonNamesFolderAndFile(@TempDir Path dir) {
        assertThatThrownBy(() -> HfTextTokenizer.load(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(dir.toAbsolutePath().toString())
                .hasMessageContaining("tokenizer.json");
    }

    @Test
    void unknownBosTokenIsACheckpointError(@TempDir Path dir) throws IOException {
        Fixtures.modelDir(dir, "special_tokens_map.json", "{\"bos_token\": \"<|begin_of_text|>\"}");
        assertThatThrownBy(() -> HfTextTokenizer.load(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("<|begin_of_text|>");
    }

    @Test
    void concurrentEncodesAgree() throws Exception {
        List<Fixtures.Case> cases = cases();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int n = 0; n < 400; n++) {
                Fixtures.Case c = cases.get(n % cases.size());
                results.add(pool.submit(() -> Arrays.equals(tokenizer.encode(c.text()), c.ids())
                        && tokenizer.decode(c.ids()).equals(c.text())));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void callsAfterCloseFailCleanly() {
        HfTextTokenizer t = HfTextTokenizer.load(Fixtures.llamaTokenizerDir());
        t.close();
        t.close();
        assertThatThrownBy(() -> t.encode("x")).isInstanceOf(ModelClosedException.class);
        assertThatThrownBy(() -> t.decode(new int[] {1})).isInstanceOf(ModelClosedException.class);
    }
}
