package dev.asclepius.core.remote;

import dev.asclepius.core.RemoteException;
import java.net.URI;

/**
 * No answer: the connection could not be made (through every retry), or the server sent no response within
 * the request timeout (not retried by the client: the server may still be generating). Status is -1.
 */
public final class RemoteConnectionException extends RemoteException {
    private static final long serialVersionUID = 1L;
    private final boolean timedOut;

    public RemoteConnectionException(String message, URI uri, boolean timedOut, Throwable cause) {
        super(message, uri, -1, cause);
        this.timedOut = timedOut;
    }

    /** Whether the request timeout ran out (rather than the connection failing); raise it with {@code requestTimeout}. */
    public boolean timedOut() {
        return timedOut;
    }

    /** Yes: once the server is reachable (or with a longer request timeout). */
    @Override
    public boolean isRetryable() {
        return true;
    }
}
