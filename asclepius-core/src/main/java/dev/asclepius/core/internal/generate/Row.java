package dev.asclepius.core.internal.generate;

import dev.asclepius.core.TextTokenizer;
import java.time.Duration;

/**
 * A request being decoded: its sequence state, where its tokens sit in the batch's cache slots, and its
 * clock. Row b's real tokens end at the batch's current slot; the slots {@code [gapStart, gapStart + gap)}
 * are masked for it (left of a joined prompt, or between a shared prefix and a shorter suffix), and after
 * them its RoPE position is the slot minus {@code gap}.
 */
final class Row {
    final Request request;
    final Sequence sequence;
    final int gapStart;
    final int gap;
    private final long started;
    private long firstToken;
    /** The token chosen for this row by the last forward pass, not yet taken by {@link #accept}. */
    int next;

    Row(Request request, TextTokenizer tokenizer, int capacity, int gapStart, int gap, long started) {
        this.request = request;
        this.sequence = new Sequence(request.prompt(), request.config(), tokenizer, request.delivery(), capacity);
        this.gapStart = gapStart;
        this.gap = gap;
        this.started = started;
    }

    /** RoPE position of this row's token at {@code slot}. */
    long position(int slot) {
        return slot - gap;
    }

    /**
     * Takes the pending token (streaming its text to the row's delivery) and hands out the result when that
     * ends the sequence.
     *
     * @return whether the row is finished
     */
    boolean accept(int context, long now) {
        if (firstToken == 0) {
            firstToken = now;
        }
        try {
            if (!sequence.accept(next, context)) {
                return false;
            }
            complete(now);
        } catch (RuntimeException failure) {
            // Something only this row's text hit (its decoder, its stop strings): only this generation ends.
            request.fail(failure);
        }
        return true;
    }

    /** Ends the row because its batch ran out of cache slots. */
    void stopForContext(long now) {
        sequence.stopForContext();
        try {
            complete(now);
        } catch (RuntimeException failure) {
            request.fail(failure);
        }
    }

    private void complete(long now) {
        request.delivery().complete(sequence.result(Duration.ofNanos(firstToken - started),
                Duration.ofNanos(now - firstToken)));
    }
}
