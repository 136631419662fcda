package dev.asclepius.core.internal.wire;

/**
 * The JSON in one {@code data:} event of a completion stream: a chunk, or an error the server reports after
 * the stream started (it can no longer change the HTTP status). {@code [DONE]} is not JSON: the caller checks
 * for {@link SseEvent#DONE} before decoding.
 */
public sealed interface StreamData permits CompletionResponse, ErrorBody {
}
