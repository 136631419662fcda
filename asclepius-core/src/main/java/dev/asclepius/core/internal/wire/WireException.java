package dev.asclepius.core.internal.wire;

import dev.asclepius.core.AsclepiusException;
import java.util.Optional;

/**
 * A message on the wire is not what the OpenAI completions protocol (or the SSE framing around it) allows:
 * malformed JSON, a required field missing, a field of the wrong type, or an SSE line or event over its
 * size limit. {@link #field()} names the JSON field at fault, when there is one, so a server can answer
 * with OpenAI's {@code "param"} and a client can say which part of the server's answer was wrong.
 */
public final class WireException extends AsclepiusException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public WireException(String message, String field) {
        super(message);
        this.field = field;
    }

    public WireException(String message, String field, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The JSON field at fault ({@code "max_tokens"}, {@code "choices"}), or empty for the message as a whole. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }
}
