package dev.asclepius.core.remote;

import dev.asclepius.core.RemoteException;
import java.net.URI;

/** The server kept failing (HTTP 5xx other than 503) through every retry. */
public final class RemoteServerException extends RemoteException {
    private static final long serialVersionUID = 1L;

    public RemoteServerException(String message, URI uri, int status, Throwable cause) {
        super(message, uri, status, cause);
    }

    /** Yes: server errors are often transient; try again later or check the server's log. */
    @Override
    public boolean isRetryable() {
        return true;
    }
}
