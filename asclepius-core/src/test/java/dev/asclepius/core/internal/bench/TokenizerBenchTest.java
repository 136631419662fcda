package dev.asclepius.core.internal.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.internal.tokenizer.HfTextTokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What {@code bench --tokenizer} measures (the sizes it reports), never how fast: that is the bench's job. */
class TokenizerBenchTest {

    private static Path llamaTokenizerDir() throws Exception {
        return Path.of(TokenizerBenchTest.class.getResource("/dev/asclepius/core/demo/llama-tokenizer/tokenizer.json")
                .toURI()).getParent();
    }

    @Test
    void reportsTheEncodedNoteAndTheGeneratedIdsItStreamed() throws Exception {
        try (HfTextTokenizer t = HfTextTokenizer.load(llamaTokenizerDir())) {
            TokenizerBench.Report r = TokenizerBench.run(t, 0, 1);
            assertThat(r.encodeTokens()).isEqualTo(t.encode(TokenizerBench.ENCODE_TEXT).length).isGreaterThan(900);
            int[] ids = t.encode(TokenizerBench.DECODE_TEXT);
            assertThat(ids[0]).isEqualTo(t.bosId());
            assertThat(r.decodeTokens()).as("generated ids carry no BOS").isEqualTo(ids.length - 1);
            assertThat(r.encodeMillis()).isPositive();
            assertThat(r.decodeMicrosPerToken()).isPositive();
            assertThatThrownBy(() -> TokenizerBench.run(t, 0, 0)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("--repeat");
        }
    }
}
