package dev.asclepius.core;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A remote model server (vLLM, TGI, llama.cpp, {@code asclepius serve}) could not answer. The subclasses in
 * {@code dev.asclepius.core.remote} say why and {@link #isRetryable()} whether sending the same request again
 * later can succeed:
 * <ul>
 *   <li>{@code RemoteAuthenticationException} (401/403): fix the API key; not retryable;</li>
 *   <li>{@code RemoteNotFoundException} (404): wrong base URL or model name; not retryable;</li>
 *   <li>{@code RemoteBadRequestException} (400, 422, other 4xx): the server refused the request's content; not retryable;</li>
 *   <li>{@code RemoteOverloadedException} (429/503 after the retries): retryable, after {@link #retryAfter()};</li>
 *   <li>{@code RemoteServerException} (other 5xx after the retries): retryable;</li>
 *   <li>{@code RemoteConnectionException} (no connection, or no answer within the request timeout): retryable;</li>
 *   <li>{@code RemoteStreamException} (the answer broke off or was unreadable mid-generation): retryable when the
 *       connection broke, not when the server's answer was malformed.</li>
 * </ul>
 * A prompt that does not fit the server's context raises {@link ContextLengthExceededException} instead.
 */
public class RemoteException extends AsclepiusException {
    private static final long serialVersionUID = 1L;
    private final URI uri;
    private final int status;

    /**
     * @param uri    the URL the request went to
     * @param status the last HTTP status received, or -1 when no response arrived (connection error, timeout)
     */
    public RemoteException(String message, URI uri, int status, @Nullable Throwable cause) {
        super(message, cause);
        this.uri = uri;
        this.status = status;
    }

    public URI uri() {
        return uri;
    }

    /** The last HTTP status received, or -1 when no response arrived. */
    public int status() {
        return status;
    }

    /**
     * Whether the same request may succeed if sent again later. Here (for a plain {@code RemoteException}): when
     * no response came, or the status was 408, 429 or 5xx; the subclasses answer for their case.
     */
    public boolean isRetryable() {
        return status == -1 || status == 408 || status == 429 || status >= 500;
    }

    /** How long the server asked the client to wait ({@code Retry-After}), when it did. */
    public Optional<Duration> retryAfter() {
        return Optional.empty();
    }
}
