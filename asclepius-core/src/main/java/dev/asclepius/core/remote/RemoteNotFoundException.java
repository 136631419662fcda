package dev.asclepius.core.remote;

import dev.asclepius.core.RemoteException;
import java.net.URI;

/** HTTP 404: the base URL has no completions endpoint, or the server does not serve the model named (see its {@code GET /v1/models}). */
public final class RemoteNotFoundException extends RemoteException {
    private static final long serialVersionUID = 1L;

    public RemoteNotFoundException(String message, URI uri, int status, Throwable cause) {
        super(message, uri, status, cause);
    }

    /** No: the URL or the model name must change. */
    @Override
    public boolean isRetryable() {
        return false;
    }
}
