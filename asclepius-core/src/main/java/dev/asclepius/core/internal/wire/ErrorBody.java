package dev.asclepius.core.internal.wire;

import java.util.Objects;
import java.util.Optional;

/**
 * OpenAI's error object, {@code {"error": {"message", "type", "param", "code"}}}: the body of a 4xx/5xx
 * response, and an SSE event when generation fails after the stream has started.
 *
 * @param message what went wrong, for a person
 * @param type    {@code invalid_request_error}, {@code authentication_error}, {@code server_error}, ...
 * @param param   the request field at fault, if one is
 * @param code    a machine-readable code ({@code context_length_exceeded}, {@code model_not_found}, ...)
 */
public record ErrorBody(String message, String type, Optional<String> param, Optional<String> code)
        implements StreamData {

    public ErrorBody {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(param, "param");
        Objects.requireNonNull(code, "code");
    }

    /** An error with a message and type only. */
    public static ErrorBody of(String message, String type) {
        return new ErrorBody(message, type, Optional.empty(), Optional.empty());
    }
}
