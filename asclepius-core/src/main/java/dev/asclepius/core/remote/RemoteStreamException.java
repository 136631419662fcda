package dev.asclepius.core.remote;

import dev.asclepius.core.RemoteException;
import java.net.URI;

/**
 * The answer went wrong after the server accepted the request (HTTP 200): the connection broke or the stream
 * ended before its finish reason, the server reported an error mid-stream, or its answer was not the OpenAI
 * completions format. Text already given to a {@code TokenListener} is incomplete. Not retried by the client,
 * since the generation had started.
 */
public final class RemoteStreamException extends RemoteException {
    private static final long serialVersionUID = 1L;
    private final boolean malformed;

    /**
     * @param malformed true when the server's answer was unreadable (a protocol mismatch, not a transient fault)
     */
    public RemoteStreamException(String message, URI uri, boolean malformed, Throwable cause) {
        super(message, uri, 200, cause);
        this.malformed = malformed;
    }

    /** Whether the server's answer was not the expected format (rather than cut off). */
    public boolean malformed() {
        return malformed;
    }

    /** Yes when the answer was cut off or failed on the server (run the whole request again); no when it was unreadable. */
    @Override
    public boolean isRetryable() {
        return !malformed;
    }
}
