package dev.asclepius.core.remote;

import dev.asclepius.core.RemoteException;
import java.net.URI;

/** The server refused the API key (HTTP 401 or 403): set it with {@code RemoteModel.builder(...).apiKey(...)} or {@code OPENAI_API_KEY}. */
public final class RemoteAuthenticationException extends RemoteException {
    private static final long serialVersionUID = 1L;

    public RemoteAuthenticationException(String message, URI uri, int status, Throwable cause) {
        super(message, uri, status, cause);
    }

    /** No: the same key will be refused again. */
    @Override
    public boolean isRetryable() {
        return false;
    }
}
