package dev.asclepius.core.internal.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StreamingDecoderTest {
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

    /** Generated ids: the fixture's ids without BOS (a model does not generate it). */
    private static int[] generated(Fixtures.Case c) {
        return Arrays.copyOfRange(c.ids(), 1, c.ids().length);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void deltasConcatenateToDecodeWheneverTheTextIsComplete(Fixtures.Case c) {
        int[] ids = generated(c);
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        StringBuilder streamed = new StringBuilder();
        for (int n = 1; n <= ids.length; n++) {
            streamed.append(decoder.push(ids[n - 1]));
            String full = tokenizer.decode(Arrays.copyOf(ids, n));
            if (full.endsWith("\uFFFD")) {
                // Incomplete character: held back. (decode renders a whole byte run containing it as U+FFFDs,
                // complete characters before it included, so compare with the final text instead.)
                assertThat(c.text()).startsWith(streamed.toString());
            } else {
                assertThat(streamed).hasToString(full);
            }
        }
        streamed.append(decoder.flush());
        assertThat(streamed).hasToString(c.text());
        assertThat(decoder.text()).isEqualTo(c.text());
    }

    @Test
    void byteFallbackCharacterArrivesOnceWhole() {
        int[] ids = generated(new Fixtures.Case("", tokenizer.encode("a 🩺 b")));
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        List<String> deltas = Arrays.stream(ids).mapToObj(decoder::push).toList();
        assertThat(deltas).noneMatch(d -> d.contains("\uFFFD")).contains("🩺");
        assertThat(String.join("", deltas)).isEqualTo("a 🩺 b");
    }

    /** SentencePiece byte-fallback token {@code <0xNN>} has id NN + 3 in the LLaMA vocabulary. */
    private static int byteToken(int b) {
        return b + 3;
    }

    @Test
    void flushReleasesATrailingIncompleteCharacterAsDecodeRendersIt() {
        int[] ids = {15043, byteToken(0xE8), byteToken(0x82)}; // "Hello" + 2 of the 3 bytes of 肺
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        String streamed = Arrays.stream(ids).mapToObj(decoder::push).reduce("", String::concat);
        assertThat(streamed).isEqualTo("Hello");
        assertThat(streamed + decoder.flush()).isEqualTo(tokenizer.decode(ids)).endsWith("\uFFFD");
    }

    @Test
    void invalidByteRunDoesNotStallTheStream() {
        int b = tokenizer.encode("b")[1]; // "▁b"
        int[] ids = {byteToken(0xE8), byteToken(0x82), byteToken(0xBA), byteToken(0xE7), b}; // 肺, a stray byte, " b"
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            streamed.append(decoder.push(id));
        }
        assertThat(streamed.toString()).startsWith("肺").endsWith(" b");
    }

    @Test
    void specialTokensInTheStreamAddNothing() {
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        StringBuilder out = new StringBuilder();
        for (int id : new int[] {15043, 0, 3186, 2}) { // Hello <unk> world </s>
            out.append(decoder.push(id));
        }
        assertThat(out).hasToString(tokenizer.decode(new int[] {15043, 0, 3186, 2})).hasToString("Hello world");
    }

    @Test
    void stopStringSpanningTwoTokensCutsTheTextBeforeIt() {
        String answer = "The patient has CHF.";
        String generatedText = answer + "\n[Instruction End] more text that must never be shown";
        int[] ids = generated(new Fixtures.Case("", tokenizer.encode(generatedText)));
        StreamingDecoder decoder = new StreamingDecoder(tokenizer, List.of("[Instruction End]"));
        StringBuilder streamed = new StringBuilder();
        int pushed = 0;
        for (int id : ids) {
            streamed.append(decoder.push(id));
            pushed++;
            assertThat(answer + "\n").startsWith(streamed.toString()); // nothing of the stop string leaks
            if (decoder.stopped()) {
                break;
            }
        }
        assertThat(decoder.stopped()).isTrue();
        assertThat(pushed).isLessThan(ids.length);
        assertThat(decoder.push(ids[pushed])).isEmpty();
        assertThat(decoder.flush()).isEmpty();
        assertThat(streamed).hasToString(answer + "\n");
        assertThat(decoder.text()).isEqualTo(answer + "\n");
    }

    @Test
    void stopStringInsideOneTokenAndEarliestOfSeveral() {
        // "▁patient" is one token: the stop string "tie" lies inside it.
        StreamingDecoder decoder = new StreamingDecoder(tokenizer, List.of("ient", "tie"));
        StringBuilder streamed = new StringBuilder();
        for (int id : generated(new Fixtures.Case("", tokenizer.encode("The patient")))) {
            streamed.append(decoder.push(id));
        }
        assertThat(decoder.stopped()).isTrue();
        assertThat(streamed).hasToString("The pa");
        assertThat(decoder.text()).isEqualTo("The pa");
    }

    @Test
    void heldBackPrefixIsReleasedWhenItTurnsOutNotToBeAStop() {
        StreamingDecoder decoder = new StreamingDecoder(tokenizer, List.of("</answer>"));
        StringBuilder streamed = new StringBuilder();
        for (int id : generated(new Fixtures.Case("", tokenizer.encode("x < y and x </a")))) {
            streamed.append(decoder.push(id));
        }
        assertThat(streamed).hasToString("x < y and x ");
        assertThat(decoder.flush()).isEqualTo("</a");
        assertThat(decoder.stopped()).isFalse();
        assertThat(decoder.text()).isEqualTo("x < y and x </a");
    }
}
