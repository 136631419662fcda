package dev.asclepius.core.internal.bench;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.internal.tokenizer.HfTextTokenizer;
import dev.asclepius.core.internal.tokenizer.StreamingDecoder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Times the text side of generation, which runs outside the forward pass: encoding a note (once per
 * prompt) and the streaming decoder (once per generated token, turning ids into text and watching for stop
 * strings). {@code asclepius bench --tokenizer} reports it; the numbers are in docs/performance.md. These
 * were once printed by unit tests, where a timing can neither fail nor be trusted.
 */
public final class TokenizerBench {
    /** A ~2000-token clinical note in the abbreviated style of discharge summaries. */
    static final String ENCODE_TEXT = "Pt c/o SOB, HTN, DM2, s/p CABG x3. BP 142/88 mmHg, HR 96 bpm. ".repeat(45);
    /** Text with byte-fallback characters (accents, CJK, an emoji) the decoder must hold back until whole. */
    static final String DECODE_TEXT = "Dx: NSTEMI. Tx: ASA 325mg, heparin gtt. Café, 肺炎 患者 🩺. ".repeat(40);
    private static final List<String> STOPS = List.of("</s>", "[Instruction End]");

    private TokenizerBench() {
    }

    /**
     * Median times over {@code repeat} runs after {@code warmup} untimed ones.
     *
     * @param encodeTokens      tokens of the encoded note
     * @param encodeMillis      median milliseconds to encode it
     * @param decodeTokens      tokens streamed through the decoder
     * @param decodeMicrosPerToken median microseconds per streamed token
     */
    public record Report(int encodeTokens, double encodeMillis, int decodeTokens, double decodeMicrosPerToken) {
    }

    /** {@link #run(TextTokenizer, int, int)} on the Hugging Face tokenizer of a model folder. */
    public static Report run(Path modelFolder, int warmup, int repeat) {
        try (HfTextTokenizer tokenizer = HfTextTokenizer.load(modelFolder)) {
            return run(tokenizer, warmup, repeat);
        }
    }

    public static Report run(TextTokenizer tokenizer, int warmup, int repeat) {
        if (warmup < 0 || repeat < 1) {
            throw new InvalidInputException("--warmup must be >= 0 and --repeat >= 1, got " + warmup + " and " + repeat);
        }
        int encodeTokens = tokenizer.encode(ENCODE_TEXT).length;
        int[] encoded = tokenizer.encode(DECODE_TEXT);
        // generated ids carry no BOS
        int[] ids = encoded.length > 0 && encoded[0] == tokenizer.bosId() ? Arrays.copyOfRange(encoded, 1, encoded.length)
                : encoded;
        double[] encode = new double[repeat];
        double[] decode = new double[repeat];
        for (int i = -warmup; i < repeat; i++) {
            long t0 = System.nanoTime();
            tokenizer.encode(ENCODE_TEXT);
            long t1 = System.nanoTime();
            StreamingDecoder decoder = new StreamingDecoder(tokenizer, STOPS);
            for (int id : ids) {
                decoder.push(id);
            }
            decoder.flush();
            long t2 = System.nanoTime();
            if (i >= 0) {
                encode[i] = (t1 - t0) / 1e6;
                decode[i] = (t2 - t1) / 1e3 / ids.length;
            }
        }
        return new Report(encodeTokens, median(encode), ids.length, median(decode));
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
