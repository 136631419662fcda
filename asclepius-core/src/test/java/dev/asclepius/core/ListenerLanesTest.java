package dev.asclepius.core;

import static dev.asclepius.core.GenerateAsyncTest.greedy;
import static dev.asclepius.core.GenerateAsyncTest.holdWorker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.core.internal.generate.Scheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token listeners run off the generation thread, one lane per generation: a listener that blocks holds up
 * its own result only, and one that throws ends its own generation only. Progress is counted in tokens
 * and decode steps, never timed.
 */
class ListenerLanesTest {
    @TempDir
    static Path dir;
    static LocalModel model;
    static int[] first;
    static int[] second;

    @BeforeAll
    static void load() {
        RandomModelWriter.write(dir, new RandomModelSpec("llama", 32000, 64, 128, 2, 4, 2, 512, false, StorageType.F32, 5, 0));
        model = LocalModel.load(dir);
        first = model.tokenizer().orElseThrow().encode("Discharge medications: metformin 500 mg BID, lisinopril 10 mg daily.");
        second = model.tokenizer().orElseThrow().encode("Pt c/o SOB.");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aBlockedListenerDoesNotHoldUpTheOtherRowsOrItsOwnDecoding() throws Exception {
        List<Integer> secondAlone = model.generate(second, greedy(8)).tokenIds();
        try (LocalModel own = LocalModel.load(dir)) {
            Scheduler scheduler = own.scheduler();
            Runnable release = holdWorker(scheduler);
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch unblock = new CountDownLatch(1);
            AtomicInteger calls = new AtomicInteger();
            StringBuilder text = new StringBuilder();
            CompletableFuture<GenerationResult> slow = own.generateAsync(first, greedy(40), (delta, id) -> {
                text.append(delta);
                if (calls.incrementAndGet() == 1) {
                    blocked.countDown();
                    await(unblock);   // a client that stops reading
                }
            });
            CompletableFuture<GenerationResult> other = own.generateAsync(second, greedy(8), TokenListener.NONE);
            release.run();
            assertThat(blocked.await(60, TimeUnit.SECONDS)).isTrue();

            // While the first listener is stuck on its first token, the other row finishes all 8 of its tokens...
            assertThat(other.get(60, TimeUnit.SECONDS).tokenIds()).isEqualTo(secondAlone);
            // ...and the stuck row itself is decoded to its end: 39 steps for 40 tokens, the batch then idle.
            scheduler.awaitIdle(Duration.ofSeconds(60));
            assertThat(scheduler.decodeSteps()).isEqualTo(39);
            assertThat(calls.get()).isEqualTo(1);
            assertThat(slow).isNotDone();   // its result waits for its listener, which has seen 1 of 40 tokens

            unblock.countDown();
            GenerationResult result = slow.get(60, TimeUnit.SECONDS);
            assertThat(calls.get()).isEqualTo(40);
            assertThat(text.toString()).isEqualTo(result.text());
            assertThat(result.tokenIds()).isEqualTo(model.generate(first, greedy(40)).tokenIds());
        }
    }

    @Test
    void aListenerThatThrowsEndsOnlyItsOwnGeneration() throws Exception {
        List<Integer> secondAlone = model.generate(second, greedy(60)).tokenIds();
        try (LocalModel own = LocalModel.load(dir)) {
            Scheduler scheduler = own.scheduler();
            Runnable release = holdWorker(scheduler);
            IllegalStateException gone = new IllegalStateException("client disconnected");
            AtomicInteger calls = new AtomicInteger();
            CompletableFuture<GenerationResult> failing = own.generateAsync(first, greedy(400), (delta, id) -> {
                if (calls.incrementAndGet() == 3) {
                    throw gone;
                }
            });
            CompletableFuture<GenerationResult> other = own.generateAsync(second, greedy(60), TokenListener.NONE);
            release.run();

            assertThat(failing).failsWithin(60, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                    .withCause(gone);
            assertThat(other.get(60, TimeUnit.SECONDS).tokenIds()).isEqualTo(secondAlone);
            scheduler.awaitIdle(Duration.ofSeconds(60));
            assertThat(scheduler.widestBatch()).isEqualTo(2);
            // The failed row left the batch long before its 400 tokens: the batch ended with the other row
            // (59 steps for 60 tokens).
            assertThat(scheduler.decodeSteps()).isEqualTo(59);
            assertThat(calls.get()).as("no calls after the one that threw").isEqualTo(3);
        }
    }

    @Test
    void listenersOfABatchEachGetTheirOwnTextInOrder() {
        List<int[]> prompts = List.of(first, second, model.tokenizer().orElseThrow().encode("HTN"));
        List<StringBuilder> texts = List.of(new StringBuilder(), new StringBuilder(), new StringBuilder());
        List<TokenListener> listeners = new java.util.ArrayList<>();
        for (StringBuilder text : texts) {
            listeners.add((delta, id) -> text.append(delta));
        }
        List<GenerationResult> results = model.generateBatch(prompts, greedy(12), listeners);
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(texts.get(i).toString()).isEqualTo(results.get(i).text());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
