package dev.asclepius.core.internal.wire;

import java.util.Objects;

/**
 * One dispatched server-sent event (HTML Living Standard, "Server-sent events", 9.2.6).
 *
 * @param type        the {@code event:} field, {@code "message"} when the event named none
 * @param data        the {@code data:} lines joined with {@code \n} (no trailing newline)
 * @param lastEventId the last {@code id:} seen on the stream so far (it persists across events, per the spec), or ""
 */
public record SseEvent(String type, String data, String lastEventId) {
    /** The event type when none is given. */
    public static final String MESSAGE = "message";
    /** OpenAI's end-of-stream sentinel, sent as the data of the last event; not JSON, so callers test for it first. */
    public static final String DONE = "[DONE]";

    public SseEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(lastEventId, "lastEventId");
    }

    /** A {@code message} event with this data and no id. */
    public static SseEvent message(String data) {
        return new SseEvent(MESSAGE, data, "");
    }

    /** Whether this is OpenAI's {@code data: [DONE]}. */
    public boolean isDone() {
        return data.equals(DONE);
    }
}
