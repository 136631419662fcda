package dev.asclepius.core.internal.tokenizer;

import dev.asclepius.core.TextTokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Turns generated token ids, one at a time, into text deltas whose concatenation is
 * {@code tokenizer.decode(allIds)} (cut before the first stop string).
 *
 * <p>Decoding one token alone is wrong for SentencePiece vocabularies: byte-fallback tokens
 * ({@code <0xF0><0x9F><0xA9><0xBA>} for U+1FA7A) only form a character together, and the decoder strips the leading space of
 * whatever it decodes first. So each step decodes a short window: the tokens of the previous emission
 * (context, already emitted) plus the tokens not yet emitted, and emits the window's text minus the context's
 * text. The window only grows while nothing new is complete (a character split over tokens, special tokens
 * that decode to nothing), so a step costs two small decodes, not a decode of everything so far. Text ending in
 * U+FFFD is an incomplete UTF-8 sequence and is held back until its remaining bytes arrive.
 *
 * <p>Stop strings: a tail of the text that could be the start of a stop string is held back; once the text
 * contains a stop string, {@link #stopped()} is true, the text before it is released, and nothing after it is
 * ever returned. Not thread-safe: one decoder per generation, fed from the generating thread.
 */
public final class StreamingDecoder {
    private static final char REPLACEMENT = '\uFFFD';

    private final TextTokenizer tokenizer;
    private final List<String> stopStrings;
    private final int maxStopLength;
    private int[] ids = new int[64];
    private int count;
    /** Window start: the first token of the previous emission. */
    private int contextStart;
    /** First token whose text has not been decoded to complete characters yet. */
    private int pendingStart;
    /** All complete text decoded so far (emitted or held back), cut before a stop string once found. */
    private final StringBuilder text = new StringBuilder();
    /** How much of {@link #text} has been returned. */
    private int released;
    private boolean stopped;

    public StreamingDecoder(TextTokenizer tokenizer) {
        this(tokenizer, List.of());
    }

    public StreamingDecoder(TextTokenizer tokenizer, List<String> stopStrings) {
        this.tokenizer = tokenizer;
        this.stopStrings = stopStrings.stream().filter(s -> !s.isEmpty()).toList();
        this.maxStopLength = this.stopStrings.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Adds the next generated id; returns the text now safe to show (often empty). Empty once stopped. */
    public String push(int id) {
        if (stopped) {
            return "";
        }
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
        }
        ids[count++] = id;
        String fresh = pendingText();
        if (fresh.isEmpty() || fresh.charAt(fresh.length() - 1) == REPLACEMENT) {
            return ""; // nothing new (a special token), or a character still missing bytes
        }
        commit(fresh);
        return release(false);
    }

    /**
     * Ends the stream: returns everything still held back (a tail that turned out not to start a stop string,
     * and a trailing incomplete character as decode renders it). Empty once stopped.
     */
    public String flush() {
        if (stopped) {
            return "";
        }
        commit(pendingText());
        return release(true);
    }

    /** True once the text contains a stop string; generation should end. */
    public boolean stopped() {
        return stopped;
    }

    /** The text so far, ending before the stop string when {@link #stopped()}; the final answer after flush(). */
    public String text() {
        return text.toString();
    }

    private String release(boolean end) {
        int stopAt = firstStop();
        if (stopAt >= 0) {
            stopped = true;
            text.setLength(stopAt);
        }
        int safeEnd = stopped || end ? text.length() : text.length() - stopPrefixTailLength();
        String delta = text.substring(released, safeEnd);
        released = safeEnd;
        return delta;
    }

    /** Earliest stop string occurrence at or after the released text (none can start earlier), or -1. */
    private int firstStop() {
        int best = -1;
        for (String stop : stopStrings) {
            int at = text.indexOf(stop, released);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** Length of the longest unreleased tail of the text that is a proper prefix of some stop string. */
    private int stopPrefixTailLength() {
        int from = Math.max(released, text.length() - maxStopLength + 1);
        for (int start = from; start < text.length(); start++) {
            String tail = text.substring(start);
            for (String stop : stopStrings) {
                if (stop.startsWith(tail)) {
                    return tail.length();
                }
            }
        }
        return 0;
    }

    /**
     * The text the tokens since the last emission add, decoded after the previous emission's tokens. The
     * window's text extends the context's, except after invalid UTF-8: decode then renders the whole byte run
     * as U+FFFD, rewriting a character already shown; cutting by length keeps the stream going.
     */
    private String pendingText() {
        String context = decode(contextStart, pendingStart);
        String window = decode(contextStart, count);
        return window.length() > context.length() ? window.substring(context.length()) : "";
    }

    private void commit(String fresh) {
        text.append(fresh);
        contextStart = pendingStart;
        pendingStart = count;
    }

    private String decode(int from, int to) {
        return from == to ? "" : tokenizer.decode(Arrays.copyOfRange(ids, from, to));
    }
}
