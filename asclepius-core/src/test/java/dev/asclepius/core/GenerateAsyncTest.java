package dev.asclepius.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import dev.asclepius.core.internal.generate.Scheduler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalModel#generateAsync}: cancelling one generation stops its row at the next decode step and
 * frees its cache while the other rows go on unchanged; one cancelled before it starts never runs. Steps
 * and tokens are counted, never timed; where requests must start as one batch, the generation thread is
 * held ({@link #holdWorker}) while they are queued.
 */
class GenerateAsyncTest {
    @TempDir
    static Path dir;
    static LocalModel model;
    static List<int[]> prompts;

    @BeforeAll
    static void load() {
        RandomModelWriter.write(dir, new RandomModelSpec("llama", 32000, 64, 128, 2, 4, 2, 512, false, StorageType.F32, 5, 0));
        model = LocalModel.load(dir);
        prompts = List.of(
                model.tokenizer().orElseThrow().encode("Pt c/o SOB."),
                model.tokenizer().orElseThrow().encode("Discharge medications: metformin 500 mg BID, lisinopril 10 mg daily."),
                model.tokenizer().orElseThrow().encode("HTN"),
                model.tokenizer().orElseThrow().encode("Hospital course: admitted with fever, treated with ceftriaxone."));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static GenerationConfig greedy(int tokens) {
        return GenerationConfig.builder().maxNewTokens(tokens).ignoreEos(true).build();
    }

    /**
     * Occupies the model's generation thread with a task until the returned action runs, so that requests
     * queued meanwhile start together as one batch.
     */
    static Runnable holdWorker(Scheduler scheduler) throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> scheduler.call(() -> {
            entered.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        holder.start();
        assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
        return release::countDown;
    }

    @Test
    void theFutureCompletesWithWhatGenerateGives() throws Exception {
        StringBuilder streamed = new StringBuilder();
        GenerationResult async = model.generateAsync(prompts.get(0), greedy(8), (delta, id) -> streamed.append(delta))
                .get(60, TimeUnit.SECONDS);
        assertThat(async.tokenIds()).isEqualTo(model.generate(prompts.get(0), greedy(8)).tokenIds());
        assertThat(streamed.toString()).isEqualTo(async.text());
        assertThat(model.generateAsync("HTN", greedy(4), TokenListener.NONE).get(60, TimeUnit.SECONDS).tokenIds())
                .isEqualTo(model.generate("HTN", greedy(4)).tokenIds());
    }

    @Test
    void badInputFailsTheFutureWithTheTypedError() {
        assertThat(model.generateAsync(new int[0], greedy(4), TokenListener.NONE))
                .failsWithin(0, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(InvalidInputException.class);
        assertThat(model.generateAsync(new int[512], greedy(4), TokenListener.NONE))
                .failsWithin(0, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(ContextLengthExceededException.class);
    }

    @Test
    void cancellingMidGenerationStopsAtTheNextStepAndFreesTheCache() throws Exception {
        try (LocalModel own = LocalModel.load(dir)) {
            Scheduler scheduler = own.scheduler();
            own.generate(prompts.get(0), greedy(3));
            int arraysBefore = NativeArrays.settle(own);

            AtomicInteger delivered = new AtomicInteger();
            CountDownLatch threeTokens = new CountDownLatch(3);
            CompletableFuture<GenerationResult> running = own.generateAsync(prompts.get(0), greedy(400), (d, id) -> {
                delivered.incrementAndGet();
                threeTokens.countDown();
            });
            assertThat(threeTokens.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(running.cancel(true)).isTrue();
            long stepsAtCancel = scheduler.decodeSteps();
            int deliveredAtCancel = delivered.get();
            scheduler.awaitIdle(java.time.Duration.ofSeconds(60));

            // At most the step under way when cancel() returned ran after it; the row then left.
            assertThat(scheduler.decodeSteps() - stepsAtCancel).isLessThanOrEqualTo(1);
            assertThat(stepsAtCancel).as("far from its 400 tokens").isLessThan(390);
            assertThat(running).isCancelled();
            assertThat(delivered.get()).as("a listener call under way may finish, no more")
                    .isLessThanOrEqualTo(deliveredAtCancel + 1);
            // Its KV cache (and every array of the step) is freed.
            assertThat(NativeArrays.settle(own)).isEqualTo(arraysBefore);
            assertThat(own.generate(prompts.get(0), greedy(5)).tokenIds())
                    .isEqualTo(model.generate(prompts.get(0), greedy(5)).tokenIds());
        }
    }

    @Test
    void cancellingOneRowLeavesTheOtherRowsOfItsBatchAsTheyWouldBe() throws Exception {
        try (LocalModel own = LocalModel.load(dir)) {
            Scheduler scheduler = own.scheduler();
            List<List<Integer>> uncancelled = batchOfFour(own, false);
            List<List<Integer>> withOneCancelled = batchOfFour(own, true);
            assertThat(scheduler.widestBatch()).as("the four decoded as one batch").isEqualTo(4);
            assertThat(withOneCancelled.get(0)).as("the cancelled row").isNull();
            assertThat(withOneCancelled.subList(1, 4)).isEqualTo(uncancelled.subList(1, 4));
        }
    }

    /** Prompts 1, 0, 2, 3 started as one batch; the first (200 tokens) cancelled after 3 tokens when asked. */
    private static List<List<Integer>> batchOfFour(LocalModel own, boolean cancelFirst) throws Exception {
        Runnable release = holdWorker(own.scheduler());
        CountDownLatch threeTokens = new CountDownLatch(3);
        List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
        futures.add(own.generateAsync(prompts.get(1), greedy(200), (d, id) -> threeTokens.countDown()));
        for (int i : new int[] {0, 2, 3}) {
            futures.add(own.generateAsync(prompts.get(i), greedy(24), TokenListener.NONE));
        }
        release.run();
        if (cancelFirst) {
            assertThat(threeTokens.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(futures.get(0).cancel(true)).isTrue();
        }
        List<List<Integer>> ids = new ArrayList<>();
        for (CompletableFuture<GenerationResult> f : futures) {
            ids.add(f.isCancelled() ? null : f.get(60, TimeUnit.SECONDS).tokenIds());
        }
        return ids;
    }

    @Test
    void aCancelledRowGivesItsKvBudgetBackToAWaitingRequest() throws Exception {
        // Two rows of the whole context: two 400-token generations start together, and their batch (425
        // slots) has no room for a third row, so a third request waits until a row leaves.
        long twoRows = model.kvCacheBytes(2, 512);
        List<Integer> shortAlone = model.generate(prompts.get(2), greedy(6)).tokenIds();
        try (LocalModel budgeted = LocalModel.builder(dir).kvCacheBudget(twoRows).build()) {
            Runnable release = holdWorker(budgeted.scheduler());
            CountDownLatch threeTokens = new CountDownLatch(3);
            AtomicReference<CompletableFuture<GenerationResult>> waiting = new AtomicReference<>();
            AtomicInteger bTokens = new AtomicInteger();
            AtomicInteger bTokensWhenWaitingDone = new AtomicInteger(-1);
            CompletableFuture<GenerationResult> a = budgeted.generateAsync(prompts.get(0), greedy(400),
                    (d, id) -> threeTokens.countDown());
            CompletableFuture<GenerationResult> b = budgeted.generateAsync(prompts.get(1), greedy(400), (d, id) -> {
                int n = bTokens.incrementAndGet();
                CompletableFuture<GenerationResult> c = waiting.get();
                if (c != null && c.isDone()) {
                    bTokensWhenWaitingDone.compareAndSet(-1, n);
                }
            });
            release.run();
            assertThat(threeTokens.await(60, TimeUnit.SECONDS)).isTrue();
            waiting.set(budgeted.generateAsync(prompts.get(2), greedy(6), TokenListener.NONE));
            assertThat(a.cancel(true)).isTrue();

            assertThat(waiting.get().get(60, TimeUnit.SECONDS).tokenIds()).isEqualTo(shortAlone);
            assertThat(b.get(60, TimeUnit.SECONDS).tokenIds()).hasSize(400);
            assertThat(budgeted.scheduler().widestBatch()).isEqualTo(2);
            // It joined and finished while the other row still had most of its tokens to go: without the
            // cancelled row's cache given back it would have waited for the whole batch to end.
            assertThat(bTokensWhenWaitingDone.get()).isBetween(1, 399);
        }
    }

    @Test
    void aGenerationCancelledBeforeItStartsNeverRuns() throws Exception {
        try (LocalModel own = LocalModel.load(dir)) {
            Scheduler scheduler = own.scheduler();
            Runnable release = holdWorker(scheduler);
            AtomicInteger delivered = new AtomicInteger();
            CompletableFuture<GenerationResult> never = own.generateAsync(prompts.get(1), greedy(20),
                    (d, id) -> delivered.incrementAndGet());
            assertThat(never.cancel(true)).isTrue();
            release.run();
            assertThat(own.generate(prompts.get(0), greedy(2)).tokenIds()).hasSize(2);
            scheduler.awaitIdle(java.time.Duration.ofSeconds(60));

            assertThat(never).isCancelled();
            assertThat(delivered.get()).isZero();
            // Only the second generation ran: alone, one decode step after its prompt.
            assertThat(scheduler.widestBatch()).isEqualTo(1);
            assertThat(scheduler.decodeSteps()).isEqualTo(1);
        }
    }

    @Test
    void aClosedModelFailsTheFuture() {
        LocalModel own = LocalModel.load(dir);
        own.close();
        assertThatThrownBy(() -> own.generateAsync(prompts.get(0), greedy(2), TokenListener.NONE).join())
                .hasCauseInstanceOf(ModelClosedException.class);
    }
}
