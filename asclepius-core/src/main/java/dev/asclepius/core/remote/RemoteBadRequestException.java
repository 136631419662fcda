package dev.asclepius.core.remote;

import dev.asclepius.core.RemoteException;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * The server refused the request itself (HTTP 400, 422 or another 4xx): a sampling setting or field it does not
 * accept. The message quotes the server; {@link #param()} names the request field at fault when the server
 * said (OpenAI's {@code error.param}).
 */
public final class RemoteBadRequestException extends RemoteException {
    private static final long serialVersionUID = 1L;
    private final String param;

    public RemoteBadRequestException(String message, URI uri, int status, Optional<String> param) {
        super(message, uri, status, null);
        this.param = Objects.requireNonNull(param, "param").orElse(null);
    }

    /** The request field the server named ({@code "temperature"}, {@code "top_p"}), if it named one. */
    public Optional<String> param() {
        return Optional.ofNullable(param);
    }

    /** No: the request must change. */
    @Override
    public boolean isRetryable() {
        return false;
    }
}
