package dev.asclepius.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * {@link LanguageModel#generateAsync}'s default, for backends without a scheduler: the blocking
 * {@code generate} on a thread of its own, stopped at the next token once the future is cancelled.
 */
class DefaultGenerateAsyncTest {

    /** Emits {@code maxNewTokens} tokens, calling {@code beforeToken} with each index first. */
    private static final class CountingModel implements LanguageModel {
        final AtomicInteger emitted = new AtomicInteger();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile IntConsumer beforeToken = i -> { };

        @Override
        public GenerationResult generate(int[] promptIds, GenerationConfig config, TokenListener listener) {
            try {
                if (promptIds.length == 0) {
                    throw new InvalidInputException("The prompt is empty.");
                }
                List<Integer> ids = new ArrayList<>();
                for (int i = 0; i < config.maxNewTokens(); i++) {
                    beforeToken.accept(i);
                    emitted.incrementAndGet();
                    listener.onToken("t" + i + " ", i);
                    ids.add(i);
                }
                return new GenerationResult("", ids, FinishReason.MAX_TOKENS, promptIds.length, Duration.ZERO,
                        Duration.ZERO, ids.size());
            } finally {
                ended.countDown();
            }
        }

        @Override
        public java.util.Optional<TextTokenizer> tokenizer() {
            return java.util.Optional.empty();   // not needed here
        }

        @Override
        public ModelInfo info() {
            throw new UnsupportedOperationException("not needed here");
        }

        @Override
        public void close() {
        }
    }

    private static GenerationConfig tokens(int n) {
        return GenerationConfig.builder().maxNewTokens(n).build();
    }

    @Test
    void completesWithTheResultAfterStreamingEveryToken() throws Exception {
        CountingModel model = new CountingModel();
        StringBuilder streamed = new StringBuilder();
        GenerationResult result = model.generateAsync(new int[] {1, 2}, tokens(5), (d, id) -> streamed.append(d))
                .get(60, TimeUnit.SECONDS);
        assertThat(result.tokenIds()).containsExactly(0, 1, 2, 3, 4);
        assertThat(streamed.toString()).isEqualTo("t0 t1 t2 t3 t4 ");
    }

    @Test
    void cancellingStopsTheGenerationAtItsNextToken() throws Exception {
        CountingModel model = new CountingModel();
        CountDownLatch atThird = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        model.beforeToken = i -> {
            if (i == 3) {   // the generation waits here until the test has cancelled it
                atThird.countDown();
                await(cancelled);
            }
        };
        AtomicInteger delivered = new AtomicInteger();
        CompletableFuture<GenerationResult> future = model.generateAsync(new int[] {1}, tokens(1000),
                (d, id) -> delivered.incrementAndGet());
        assertThat(atThird.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(future.cancel(true)).isTrue();
        cancelled.countDown();
        assertThat(model.ended.await(60, TimeUnit.SECONDS)).isTrue();

        assertThat(future).isCancelled();
        assertThat(delivered.get()).as("tokens 0-2 reached the listener, none after the cancel").isEqualTo(3);
        assertThat(model.emitted.get()).as("the generation ended at the first token after the cancel").isEqualTo(4);
    }

    @Test
    void aFailureOfGenerateFailsTheFuture() {
        CountingModel model = new CountingModel();
        assertThat(model.generateAsync(new int[0], tokens(3), TokenListener.NONE))
                .failsWithin(60, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(InvalidInputException.class).withMessageContaining("empty");
    }

    @Test
    void aListenerThatThrowsFailsTheFutureWithItsException() {
        CountingModel model = new CountingModel();
        IllegalStateException gone = new IllegalStateException("client disconnected");
        CompletableFuture<GenerationResult> future = model.generateAsync(new int[] {1}, tokens(10), (d, id) -> {
            if (id == 2) {
                throw gone;
            }
        });
        assertThat(future).failsWithin(60, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .withCause(gone);
        assertThat(model.emitted.get()).isEqualTo(3);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
