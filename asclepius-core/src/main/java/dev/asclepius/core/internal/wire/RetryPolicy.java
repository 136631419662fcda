package dev.asclepius.core.internal.wire;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;
import java.util.regex.Pattern;

/**
 * The one retry schedule of the SDK's HTTP clients ({@code RemoteModel}, the hub downloader): at most
 * {@code maxAttempts} attempts; between them, exponential backoff with "full jitter" (a uniformly random wait in
 * {@code [0, min(cap, initial * 2^retry)]}, AWS Architecture Blog, "Exponential Backoff and Jitter": it spreads
 * clients that failed together better than a fixed or half-random wait), unless the server said how long to
 * wait with {@code Retry-After} (delay-seconds or an HTTP-date, RFC 9110 10.2.3), which is honoured up to
 * {@code maxRetryAfter}.
 *
 * <pre>{@code
 * RetryPolicy retry = RetryPolicy.builder().maxAttempts(5).backoff(Duration.ofMillis(500), Duration.ofSeconds(30)).build();
 * T value = retry.run(attempt -> {
 *     HttpResponse<?> r = send();
 *     if (retry.isRetryableStatus(r.statusCode())) {
 *         throw new RetryPolicy.Retry("HTTP " + r.statusCode(), r.statusCode(), retry.retryAfter(header), null);
 *     }
 *     return read(r);
 * }, (attempts, last) -> new SomeException("failed after " + attempts + " attempt(s): " + last.getMessage()));
 * }</pre>
 * What is retryable is decided by the attempt (it throws {@link Retry}); {@link #isRetryableStatus(int)} is the
 * shared answer for HTTP statuses: 408, 429 and every 5xx. The clock, the sleeper and the random source are
 * injectable so tests check the schedule without waiting. Immutable and thread-safe.
 */
public final class RetryPolicy {
    /** Waits; the real one is {@link Thread#sleep}. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** One attempt; {@code attempt} counts from 1. Throws {@link Retry} to ask for another. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run(int attempt) throws Retry;
    }

    /** The exception to throw when every attempt failed; {@code last} is the last attempt's failure. */
    @FunctionalInterface
    public interface GiveUp {
        RuntimeException after(int attempts, Retry last);
    }

    /**
     * A failed attempt worth repeating (a checked exception, so an attempt cannot forget to say so).
     * {@code status} is the HTTP status or -1 when no response came; {@code retryAfter} the server's wish.
     */
    public static final class Retry extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final transient Optional<Duration> retryAfter;

        public Retry(String reason, int status, Optional<Duration> retryAfter, Throwable cause) {
            super(reason, cause);
            this.status = status;
            this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        }

        public int status() {
            return status;
        }

        public Optional<Duration> retryAfter() {
            return retryAfter == null ? Optional.empty() : retryAfter;
        }
    }

    private static final Pattern SECONDS = Pattern.compile("\\d+(\\.\\d+)?");

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxRetryAfter;
    private final Clock clock;
    private final Sleeper sleeper;
    private final LongUnaryOperator random;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxRetryAfter = b.maxRetryAfter;
        this.clock = b.clock;
        this.sleeper = b.sleeper;
        this.random = b.random;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Runs {@code attempt} until it returns, throws something other than {@link Retry}, or has been tried
     * {@link #maxAttempts()} times (then {@code giveUp}'s exception is thrown).
     *
     * @throws InterruptedException when interrupted while waiting between attempts (the interrupt flag is kept)
     */
    public <T> T run(Attempt<T> attempt, GiveUp giveUp) throws InterruptedException {
        for (int n = 1; ; n++) {
            try {
                return attempt.run(n);
            } catch (Retry failure) {
                if (n >= maxAttempts) {
                    throw giveUp.after(n, failure);
                }
                try {
                    sleeper.sleep(delay(n - 1, failure.retryAfter()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * The wait before retry number {@code retry} (0 for the first): the server's {@code Retry-After} when given
     * (at most {@code maxRetryAfter}), else a full-jitter backoff.
     */
    public Duration delay(int retry, Optional<Duration> retryAfter) {
        if (retryAfter.isPresent()) {
            Duration d = retryAfter.get();
            return d.isNegative() ? Duration.ZERO : d.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : d;
        }
        long cap = backoffCap(retry).toMillis();
        return Duration.ofMillis(random.applyAsLong(cap));
    }

    /** The upper end of the jittered wait before retry {@code retry}: {@code min(maxBackoff, initial * 2^retry)}. */
    public Duration backoffCap(int retry) {
        long cap = maxBackoff.toMillis();
        long d = initialBackoff.toMillis();
        for (int i = 0; i < retry && d < cap; i++) {
            d = d > cap / 2 ? cap : d * 2;   // doubling that cannot overflow
        }
        return Duration.ofMillis(Math.min(d, cap));
    }

    /** 408 (request timeout), 429 (rate limited) and 5xx are worth retrying; other statuses will not change. */
    public boolean isRetryableStatus(int status) {
        return status == 408 || status == 429 || (status >= 500 && status <= 599);
    }

    /** A {@code Retry-After} header value as a wait from now: delay-seconds or an HTTP-date (past dates: zero). */
    public Optional<Duration> retryAfter(String headerValue) {
        String v = headerValue.strip();
        if (SECONDS.matcher(v).matches()) {   // RFC 9110 says whole seconds; some servers send "1.5"
            return Optional.of(v.length() > 12 ? maxRetryAfter
                    : Duration.ofMillis((long) (Double.parseDouble(v) * 1000)));
        }
        try {
            // RFC 1123 covers the IMF-fixdate form every current server sends.
            ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration d = Duration.between(clock.instant(), at.toInstant());
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException unreadable) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", backoff=" + initialBackoff + ".." + maxBackoff
                + ", maxRetryAfter=" + maxRetryAfter + "]";
    }

    /** Settings; defaults: 5 attempts, 500 ms doubling to 30 s, Retry-After honoured up to 2 minutes. */
    public static final class Builder {
        private int maxAttempts = 5;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration maxRetryAfter = Duration.ofMinutes(2);
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis());
        private LongUnaryOperator random = bound -> bound <= 0 ? 0 : ThreadLocalRandom.current().nextLong(bound + 1);

        private Builder() {
        }

        /** Attempts in all, the first included (1 = no retry). */
        public Builder maxAttempts(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, got " + value);
            }
            this.maxAttempts = value;
            return this;
        }

        /** The first backoff cap, doubled per retry up to {@code max}. */
        public Builder backoff(Duration initial, Duration max) {
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** The longest server-requested wait honoured; a server asking for more is retried after this long. */
        public Builder maxRetryAfter(Duration value) {
            this.maxRetryAfter = Objects.requireNonNull(value, "maxRetryAfter");
            return this;
        }

        /** The clock HTTP-dates are compared with. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        /** The jitter: given a bound in ms, a wait in {@code [0, bound]}; default uniform. */
        public Builder random(LongUnaryOperator value) {
            this.random = Objects.requireNonNull(value, "random");
            return this;
        }

        public RetryPolicy build() {
            return new RetryPolicy(this);
        }
    }
}
