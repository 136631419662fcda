package dev.asclepius.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A separate thread count for single-sequence decode steps changes speed only, never the tokens. */
class DecodeThreadsTest {
    @TempDir
    Path dir;

    @Test
    void oneDecodeThreadGeneratesWhatTheDefaultDoes() {
        RandomModelWriter.write(dir, new RandomModelSpec("llama", 32000, 64, 128, 2, 4, 2, 512, false, StorageType.F32, 9, 0));
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(10).ignoreEos(true).build();
        try (LocalModel plain = LocalModel.builder(dir).prefixCache(false).build();
             LocalModel oneThread = LocalModel.builder(dir).prefixCache(false).decodeThreads(1).build()) {
            List<int[]> prompts = List.of(plain.tokenizer().orElseThrow().encode("Pt c/o SOB, started on furosemide."),
                    plain.tokenizer().orElseThrow().encode("HTN"));
            for (int[] p : prompts) {
                assertThat(oneThread.generate(p, greedy).tokenIds()).isEqualTo(plain.generate(p, greedy).tokenIds());
            }
            // Batched steps use the prompt threads, single ones the decode threads: both switch on one thread.
            assertThat(oneThread.generateBatch(prompts, greedy).stream().map(GenerationResult::tokenIds).toList())
                    .isEqualTo(plain.generateBatch(prompts, greedy).stream().map(GenerationResult::tokenIds).toList());
        }
    }

    @Test
    void aNonPositiveCountIsRefused() {
        assertThatThrownBy(() -> LocalModel.builder(dir).decodeThreads(0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("decodeThreads must be > 0");
    }
}
