package dev.asclepius.core.remote;

import dev.asclepius.core.RemoteException;
import java.net.URI;

/** The server refused the request itself (HTTP 400, 422 or another 4xx): a sampling setting or field it does not accept; the message quotes the server. */
public final class RemoteBadRequestException extends RemoteException {
    private static final long serialVersionUID = 1L;

    public RemoteBadRequestException(String message, URI uri, int status, Throwable cause) {
        super(message, uri, status, cause);
    }

    /** No: the request must change. */
    @Override
    public boolean isRetryable() {
        return false;
    }
}
