package dev.asclepius.core.internal.generate;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.internal.model.LlamaModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/**
 * Continuous batching: every generation of a model runs on one worker thread, the generation thread.
 * Requests that arrive together start as one batch (their common token prefix computed once); a request
 * that arrives while a batch is decoding joins it at the next step when its prompt fits before the current
 * cache slot; a sequence that finishes, or whose caller cancels it, leaves at once.
 *
 * <p>This class is the worker and its entry points; the work is in its parts: {@link WorkQueue} (what waits,
 * blocking while idle), {@link BatchPlanner} (batch width, cache size, KV budget), {@link PrefixPolicy}
 * (prefix reuse), {@link Prefill} (prompts, joins), {@link BatchRun} (the decode loop), {@link BatchLayout}
 * (slots, positions, masks), {@link NextTokens} and {@link Sampler} (choosing tokens), {@link Delivery}
 * (listeners and results, off this thread) and {@link GuardedEngine} (the engine lock and thread counts).
 */
public final class Scheduler {
    private final GuardedEngine engine;
    private final BatchPlanner planner;
    private final PrefixPolicy prefixes;
    private final Prefill prefill;
    private final BeamSearch beams;
    private final WorkQueue queue = new WorkQueue();
    private final Counters counters = new Counters();
    private Thread worker;   // guarded by this

    /**
     * @param engineLock  held for every forward step, so other users of the engine interleave safely
     * @param rowsThatFit sequences of a given length that the KV cache budget allows
     * @param kvBudget    bytes of KV cache allowed in all (Long.MAX_VALUE: no limit), the prefix cache included
     * @param prefixCaching whether to keep the last prompt prefix for reuse (see {@link PrefixCache})
     * @param prefillThreads intra-op threads for prompts, {@code decodeThreads} for decode steps (0: PyTorch's
     *                      setting as it is)
     */
    public Scheduler(LlamaModel model, TextTokenizer tokenizer, ReentrantLock engineLock, BooleanSupplier closing,
                     int maxBatch, IntUnaryOperator rowsThatFit, long kvBudget, boolean prefixCaching,
                     int prefillThreads, int decodeThreads) {
        this.engine = new GuardedEngine(model, engineLock, closing, prefillThreads, decodeThreads);
        this.planner = new BatchPlanner(model, maxBatch, rowsThatFit, kvBudget);
        this.prefixes = new PrefixPolicy(model, planner, prefixCaching);
        this.prefill = new Prefill(engine, prefixes, tokenizer);
        this.beams = new BeamSearch(model, tokenizer, closing);
    }

    /**
     * Queues one beam search as a task of the generation thread (under the engine lock, between other
     * batches' steps). A future completed before the task starts (cancelled) skips the search; a running
     * search is not interrupted.
     */
    private CompletableFuture<GenerationResult> beamSearch(int[] prompt, GenerationConfig config, TokenListener listener) {
        CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        Runnable task = () -> {
            if (result.isDone()) {
                return;
            }
            try {
                result.complete(beams.run(prompt, config, listener).best());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        };
        if (queue.task(task)) {
            ensureWorker();
        } else {
            result.completeExceptionally(new ModelClosedException("The model was closed before this generation started."));
        }
        return result;
    }

    /**
     * Queues prompts that start together (one batch when the loop is idle); already validated. Each future
     * completes after its listener has seen every token; completing it otherwise ({@code cancel}, a timeout)
     * drops the generation at its next step, or before it starts.
     */
    public List<CompletableFuture<GenerationResult>> submit(List<int[]> prompts, GenerationConfig config,
                                                            List<TokenListener> listeners) {
        if (config.isBeamSearch()) {   // the beams are the rows of their own batch: one search per prompt
            return java.util.stream.IntStream.range(0, prompts.size())
                    .mapToObj(i -> beamSearch(prompts.get(i), config, listeners.get(i))).toList();
        }
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            Request request = new Request(prompts.get(i), config,
                    new Delivery(listeners.get(i), new CompletableFuture<>()));
            // A caller that gives up before its request starts frees its place in the queue at once (for one
            // that started or finished, this finds nothing to remove).
            request.delivery().future().whenComplete((r, e) -> queue.remove(request));
            requests.add(request);
        }
        if (queue.submit(requests)) {
            ensureWorker();
        } else {
            failNeverStarted(requests);
        }
        return requests.stream().map(r -> r.delivery().future()).toList();
    }

    /**
     * Runs {@code work} on the generation thread (between decode steps) and returns its result. All
     * PyTorch work of a model happens on that one thread: CPU PyTorch keeps a team of OpenMP threads per
     * calling thread, and on a small machine an idle team's spinning threads slow the busy one down.
     */
    public <T> T call(Supplier<T> work) {
        if (Thread.currentThread() == currentWorker()) {
            return work.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        };
        if (queue.task(task)) {
            ensureWorker();
        } else {
            engine.exclusive(task);   // closed: the work fails fast on the closed model, here
        }
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Like {@link #call}, with {@code threads} intra-op threads (for benchmarks that mirror decode or prefill). */
    public <T> T callWithThreads(int threads, Supplier<T> work) {
        return call(() -> {
            engine.useThreads(threads);
            return work.get();
        });
    }

    /**
     * Turns the prefix cache on or off from now on (off frees its entry between two decode steps, before any
     * task queued later). Benchmarks turn it off to time prompts "without reuse".
     */
    public void prefixCaching(boolean enabled) {
        prefixes.enabled(enabled);
        if (!enabled && queue.task(prefixes::releaseIfIdle)) {   // off: the entry is freed before later tasks run
            ensureWorker();
        }
    }

    /** Tokens the prefix cache holds now (0 when empty); for tests and diagnostics. */
    public int cachedPrefixTokens() {
        return call(prefixes::length);
    }

    /**
     * Waits (at most {@code timeout}) until no batch is running or queued. Results are handed out as each
     * sequence finishes, just before its batch's cache is freed: memory checks wait for this first.
     */
    public void awaitIdle(Duration timeout) throws InterruptedException {
        queue.awaitIdle(timeout);
    }

    /** The widest batch decoded so far (for tests and diagnostics). */
    public int widestBatch() {
        return counters.widestBatch();
    }

    /** Decode steps (forward passes after the prompts, one per batch step) run so far; for tests and diagnostics. */
    public long decodeSteps() {
        return counters.decodeSteps();
    }

    /** Fails every queued request; the worker fails the running ones at its next step and exits. */
    public void shutdown() {
        failNeverStarted(queue.close());
    }

    private synchronized Thread currentWorker() {
        return worker;
    }

    private synchronized void ensureWorker() {
        if (worker == null || !worker.isAlive()) {
            worker = new Thread(this::loop, "asclepius-generate");
            worker.setDaemon(true);
            worker.start();
        }
    }

    private void loop() {
        engine.prepareThread();
        try {
            while (queue.awaitWork(prefixes.releaseDeadline())) {
                runTasks();
                Request first = queue.pollIf(r -> true);
                if (first == null) {
                    engine.freeing(prefixes::releaseIfIdle);
                } else {
                    runBatch(planner.startWith(first, queue));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            failNeverStarted(queue.close());
            queue.drainTasks().forEach(engine::exclusive);   // they fail fast on the closed model
            engine.freeing(prefixes::close);
        }
    }

    /**
     * Decodes one planned batch to its end. The one place a batch is handed to a decoding strategy: a
     * strategy other than one row per request (e.g. beam search) is dispatched here.
     */
    private void runBatch(List<Request> batch) {
        BatchRun run = new BatchRun(batch, engine, planner, prefill, queue, counters, this::runTasks);
        engine.freeing(() -> prefixes.makeRoom((long) batch.size() * run.capacity()));
        try {
            run.run();
        } catch (RuntimeException e) {
            RuntimeException failure = BatchRun.typed(e);
            batch.forEach(r -> r.fail(failure));   // those that finished already keep their results
        }
    }

    /** Runs other callers' tasks, each under the engine lock. */
    private void runTasks() {
        Runnable task;
        while ((task = queue.pollTask()) != null) {
            engine.exclusive(task);
        }
    }

    private static void failNeverStarted(List<Request> requests) {
        requests.forEach(r -> r.fail(new ModelClosedException("The model was closed before this generation started.")));
    }
}
