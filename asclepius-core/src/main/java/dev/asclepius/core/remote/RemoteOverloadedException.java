package dev.asclepius.core.remote;

import dev.asclepius.core.RemoteException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The server was rate limiting (HTTP 429) or overloaded (503) through every retry: send fewer requests at once
 * ({@code maxConcurrency}), allow more retries, or wait {@link #retryAfter()} when the server said how long.
 */
public final class RemoteOverloadedException extends RemoteException {
    private static final long serialVersionUID = 1L;
    private final transient Optional<Duration> retryAfter;

    public RemoteOverloadedException(String message, URI uri, int status, Optional<Duration> retryAfter) {
        super(message, uri, status, null);
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** Yes, after {@link #retryAfter()} (or a backoff of your own when absent). */
    @Override
    public boolean isRetryable() {
        return true;
    }

    /** The server's last {@code Retry-After}, when it sent one. */
    @Override
    public Optional<Duration> retryAfter() {
        return retryAfter == null ? Optional.empty() : retryAfter;
    }
}
