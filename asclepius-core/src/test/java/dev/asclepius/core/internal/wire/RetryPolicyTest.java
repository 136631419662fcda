package dev.asclepius.core.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The schedule with a fake sleeper (records waits, never sleeps) and a chosen jitter. */
class RetryPolicyTest {
    private final List<Duration> slept = new ArrayList<>();

    private RetryPolicy.Builder policy() {
        return RetryPolicy.builder().sleeper(slept::add).backoff(Duration.ofMillis(100), Duration.ofMillis(1000));
    }

    private static RetryPolicy.Retry retry(int status) {
        return new RetryPolicy.Retry("HTTP " + status, status, Optional.empty(), null);
    }

    @Test
    void backoffDoublesUpToTheCapWithFullJitter() {
        RetryPolicy max = policy().random(bound -> bound).build();
        assertThat(List.of(0, 1, 2, 3, 4, 10, 1000)).extracting(r -> max.delay(r, Optional.empty()).toMillis())
                .containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L, 1000L);
        RetryPolicy min = policy().random(bound -> 0).build();
        assertThat(min.delay(3, Optional.empty())).isZero();
        // The default jitter stays within [0, cap] and is not constant.
        RetryPolicy real = policy().build();
        List<Long> draws = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            draws.add(real.delay(2, Optional.empty()).toMillis());
        }
        assertThat(draws).allMatch(d -> d >= 0 && d <= 400);
        assertThat(draws.stream().distinct().count()).isGreaterThan(20);
    }

    @Test
    void hugeInitialBackoffDoesNotOverflow() {
        RetryPolicy p = RetryPolicy.builder().backoff(Duration.ofDays(1000), Duration.ofDays(3000)).build();
        assertThat(p.backoffCap(200)).isEqualTo(Duration.ofDays(3000));
    }

    @Test
    void retryAfterWinsOverBackoffAndIsCapped() {
        RetryPolicy p = policy().random(bound -> bound).maxRetryAfter(Duration.ofSeconds(60)).build();
        assertThat(p.delay(0, Optional.of(Duration.ofSeconds(7)))).isEqualTo(Duration.ofSeconds(7));
        assertThat(p.delay(0, Optional.of(Duration.ofHours(1)))).isEqualTo(Duration.ofSeconds(60));
        assertThat(p.delay(5, Optional.of(Duration.ZERO))).isZero();
    }

    @Test
    void retryAfterParsesSecondsAndHttpDatesAgainstTheClock() {
        Clock clock = Clock.fixed(Instant.parse("2015-10-21T07:27:30Z"), ZoneOffset.UTC);
        RetryPolicy p = policy().clock(clock).build();
        assertThat(p.retryAfter("2")).contains(Duration.ofSeconds(2));
        assertThat(p.retryAfter(" 120 ")).contains(Duration.ofSeconds(120));
        assertThat(p.retryAfter("1.5")).contains(Duration.ofMillis(1500));
        assertThat(p.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).contains(Duration.ofSeconds(30));
        assertThat(p.retryAfter("Wed, 21 Oct 2015 07:00:00 GMT")).as("a past date means now").contains(Duration.ZERO);
        assertThat(p.retryAfter("soon")).isEmpty();
        assertThat(p.retryAfter("-5")).isEmpty();
        assertThat(p.retryAfter("99999999999999999999")).as("absurd seconds: the cap").contains(Duration.ofMinutes(2));
    }

    @Test
    void runRetriesUntilSuccessSleepingTheSchedule() throws InterruptedException {
        RetryPolicy p = policy().maxAttempts(4).random(bound -> bound).build();
        List<Integer> attempts = new ArrayList<>();
        String value = p.run(n -> {
            attempts.add(n);
            if (n == 1) {
                throw retry(503);
            }
            if (n == 2) {
                throw new RetryPolicy.Retry("429", 429, Optional.of(Duration.ofSeconds(3)), null);
            }
            return "ok";
        }, (n, last) -> new IllegalStateException("unexpected"));
        assertThat(value).isEqualTo("ok");
        assertThat(attempts).containsExactly(1, 2, 3);
        assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofSeconds(3));
    }

    @Test
    void runGivesUpAfterMaxAttemptsWithTheLastFailure() {
        RetryPolicy p = policy().maxAttempts(3).random(bound -> bound).build();
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> p.run(n -> {
            calls.incrementAndGet();
            throw retry(500 + n);
        }, (n, last) -> new IllegalStateException(n + " attempts, last " + last.status())))
                .isInstanceOf(IllegalStateException.class).hasMessage("3 attempts, last 503");
        assertThat(calls).hasValue(3);
        assertThat(slept).as("no wait after the last attempt").containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void otherExceptionsAreNotRetried() {
        RetryPolicy p = policy().maxAttempts(5).build();
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> p.run(n -> {
            calls.incrementAndGet();
            throw new IllegalArgumentException("400");
        }, (n, last) -> new IllegalStateException())).isInstanceOf(IllegalArgumentException.class);
        assertThat(calls).hasValue(1);
        assertThat(slept).isEmpty();
    }

    @Test
    void oneAttemptMeansNoRetry() {
        RetryPolicy p = policy().maxAttempts(1).build();
        assertThatThrownBy(() -> p.run(n -> {
            throw retry(503);
        }, (n, last) -> new IllegalStateException("gave up after " + n))).hasMessage("gave up after 1");
        assertThat(slept).isEmpty();
    }

    @Test
    void interruptedWaitStopsAndKeepsTheFlag() {
        RetryPolicy p = policy().sleeper(d -> {
            throw new InterruptedException();
        }).build();
        try {
            assertThatThrownBy(() -> p.run(n -> {
                throw retry(503);
            }, (n, last) -> new IllegalStateException())).isInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void retryableStatuses() {
        RetryPolicy p = policy().build();
        assertThat(List.of(408, 429, 500, 502, 503, 504, 599)).allMatch(p::isRetryableStatus);
        assertThat(List.of(200, 400, 401, 403, 404, 413, 422, 600)).noneMatch(p::isRetryableStatus);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
