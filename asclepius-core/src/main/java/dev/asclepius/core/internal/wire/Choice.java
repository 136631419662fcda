package dev.asclepius.core.internal.wire;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of {@code choices}, in a whole response or in a stream chunk (where {@code text} is the delta
 * and {@code finish_reason} is null until the last chunk). {@code logprobs} is always written as null: this
 * project neither asks for nor reads log-probabilities.
 *
 * @param index        position of the choice (always 0 here: one prompt, n = 1)
 * @param text         the generated text, or the delta of a chunk
 * @param finishReason {@code "stop"} or {@code "length"}; empty while a stream is still running
 * @param stopReason   vLLM's {@code stop_reason}
 * @param tokenIds     the generated ids ({@code token_ids}, when {@code return_token_ids} was asked for)
 */
public record Choice(int index, String text, Optional<String> finishReason, Optional<StopReason> stopReason,
                     Optional<List<Integer>> tokenIds) {

    public Choice {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(stopReason, "stopReason");
        tokenIds = tokenIds.map(List::copyOf);
    }

    /** A running stream's delta: no finish reason, no ids. */
    public static Choice delta(String text) {
        return new Choice(0, text, Optional.empty(), Optional.empty(), Optional.empty());
    }
}
