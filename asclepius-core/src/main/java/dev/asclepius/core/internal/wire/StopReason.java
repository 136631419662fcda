package dev.asclepius.core.internal.wire;

/**
 * vLLM's {@code stop_reason} beside {@code finish_reason: "stop"}: the stop token id or the stop string that
 * ended the completion. Absent (JSON null) for EOS and for {@code length}.
 */
public sealed interface StopReason {

    /** A stop token id (from {@code stop_token_ids}, or EOS when the server names it). */
    record Token(int id) implements StopReason {
    }

    /** The stop string that matched (one of {@code stop}). */
    record Text(String value) implements StopReason {
        public Text {
            java.util.Objects.requireNonNull(value, "value");
        }
    }
}
