package dev.asclepius.core.internal.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asclepius.core.EngineException;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import dev.asclepius.core.internal.model.KvCache;
import dev.asclepius.core.internal.model.LlamaModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.IntUnaryOperator;

/**
 * Continuous batching: every generation of a model runs through this one loop on one worker thread.
 * Requests that arrive together start as one batch (their common token prefix computed once); a request
 * that arrives while a batch is decoding joins it at the next step when its prompt fits before the current
 * cache slot; a sequence that finishes leaves at once. A lone request runs the plain single-sequence
 * forward pass, so batching costs a single caller nothing.
 *
 * <p>Layout: rows share cache slots. Row b's real tokens end at the current slot; the slots it must not
 * see (left of a joined prompt, or between a shared prefix and a shorter suffix) are masked, and its RoPE
 * position is the slot minus the number of masked slots after the prefix ({@code gap}). Because RoPE
 * encodes positions inside the keys, a row's keys can sit at any slot and each row computes what it would
 * alone.
 */
public final class Scheduler {
    private static final float BLOCKED = -1e9f;
    /** Below this many shared tokens a separate prefix pass costs more than it saves. */
    private static final int MIN_SHARED_PREFIX = 8;
    /** Prompts shorter than this are not kept in the prefix cache: recomputing them is cheap. */
    private static final int MIN_RETAINED_PROMPT = 64;
    /**
     * Decode steps of up to this many rows do so little arithmetic per weight read that they are bound by
     * memory bandwidth and use {@code decodeThreads}; wider steps multiply each weight by several rows and
     * use every prompt thread (small model, 2 cores: a 2-row step took 12.6 ms on 2 threads and 14.0 ms on
     * 1; an 8-row step 20.6 ms and 30.3 ms; a 1-row step 13.5 ms and 11.6 ms).
     */
    private static final int BANDWIDTH_BOUND_ROWS = 1;
    /** The prefix cache is freed after this long without a generation. */
    private static final long PREFIX_IDLE_NANOS = 10_000_000_000L;

    private final LlamaModel model;
    private final TextTokenizer tokenizer;
    private final ReentrantLock engineLock;
    private final BooleanSupplier closing;
    private final int maxBatch;
    private final IntUnaryOperator rowsThatFit;
    private final LinkedBlockingDeque<Request> waiting = new LinkedBlockingDeque<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> tasks = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Object startLock = new Object();
    private Thread worker;
    private volatile int widestBatch;
    private volatile boolean running;
    private final long kvBudget;
    private final PrefixCache prefixes = new PrefixCache();   // worker thread only
    private volatile boolean prefixCaching;
    private final int prefillThreads;   // intra-op threads for prompts (0: leave PyTorch's setting alone)
    private final int decodeThreads;    // intra-op threads for decode steps (0: leave alone)
    private int activeThreads;          // worker thread only

    /** One caller's generation. */
    private record Request(int[] prompt, GenerationConfig config, TokenListener listener,
                           CompletableFuture<GenerationResult> done) {
    }

    /** A request being decoded: its sequence state, its masked-slot count and its clock. */
    private static final class Row {
        final Request request;
        final Sequence sequence;
        final int gapStart;     // first masked slot
        final int gap;          // masked slots [gapStart, gapStart + gap); position = slot - gap after them
        final long started;
        long firstToken;
        int next;

        Row(Request request, Sequence sequence, int gapStart, int gap, long started) {
            this.request = request;
            this.sequence = sequence;
            this.gapStart = gapStart;
            this.gap = gap;
            this.started = started;
        }
    }

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
        this.model = model;
        this.tokenizer = tokenizer;
        this.engineLock = engineLock;
        this.closing = closing;
        this.maxBatch = maxBatch;
        this.rowsThatFit = rowsThatFit;
        this.kvBudget = kvBudget;
        this.prefixCaching = prefixCaching;
        this.prefillThreads = prefillThreads;
        this.decodeThreads = decodeThreads;
    }

    /**
     * Switches the generation thread to {@code threads} intra-op threads (no-op when 0 or already so):
     * prompts are compute-bound and use every thread given, while a decode step streams each weight once
     * and may run best on fewer (measured: one core saturates this VM's memory bandwidth).
     */
    private void useThreads(int threads) {
        if (threads > 0 && threads != activeThreads) {
            PyTorchRuntime.applyThreads(threads);
            activeThreads = threads;
        }
    }

    /** Like {@link #call}, with {@code threads} intra-op threads (for benchmarks that mirror decode or prefill). */
    public <T> T callWithThreads(int threads, java.util.function.Supplier<T> work) {
        return call(() -> {
            useThreads(threads);
            return work.get();
        });
    }

    /**
     * Turns the prefix cache on or off from now on (off frees it at the next idle moment). Benchmarks turn
     * it off to time prompts "without reuse".
     */
    public void prefixCaching(boolean enabled) {
        this.prefixCaching = enabled;
    }

    /** Tokens the prefix cache holds now (0 when empty); for tests and diagnostics. */
    public int cachedPrefixTokens() {
        return call(prefixes::length);
    }

    /** Queues prompts that start together (one batch when the loop is idle); already validated. */
    public List<CompletableFuture<GenerationResult>> submit(List<int[]> prompts, GenerationConfig config,
                                                            List<TokenListener> listeners) {
        if (config.isBeamSearch()) {   // the beams are the rows of their own batch: one search per task
            BeamSearch beams = new BeamSearch(model, tokenizer, closing);
            List<CompletableFuture<GenerationResult>> searches = java.util.stream.IntStream.range(0, prompts.size())
                    .mapToObj(i -> CompletableFuture.supplyAsync(
                            () -> beams.run(prompts.get(i), config, listeners.get(i)).best(), tasks::add)).toList();
            ensureWorker();
            return searches;
        }
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            requests.add(new Request(prompts.get(i), config, listeners.get(i), new CompletableFuture<>()));
        }
        synchronized (waiting) {
            waiting.addAll(requests);
        }
        ensureWorker();
        return requests.stream().map(Request::done).toList();
    }

    /**
     * Waits (at most {@code timeout}) until no batch is running or queued. Results are handed out as each
     * sequence finishes, just before its batch's cache is freed: memory checks wait for this first.
     */
    public void awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while ((running || !waiting.isEmpty() || !tasks.isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
    }

    /**
     * Runs {@code work} on the generation thread (between decode steps) and returns its result. All
     * PyTorch work of a model happens on that one thread: CPU PyTorch keeps a team of OpenMP threads per
     * calling thread, and on a small machine an idle team's spinning threads slow the busy one down.
     */
    public <T> T call(java.util.function.Supplier<T> work) {
        if (Thread.currentThread() == worker) {
            return work.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
        ensureWorker();
        try {
            return result.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            engineLock.lock();
            try {
                task.run();
            } finally {
                engineLock.unlock();
            }
        }
    }

    /** The widest batch decoded so far (for tests and diagnostics). */
    public int widestBatch() {
        return widestBatch;
    }

    /** Fails every queued request; the worker fails the running ones at its next step and exits. */
    public void shutdown() {
        failWaiting();
        synchronized (startLock) {
            if (worker != null) {
                worker.interrupt();
            }
        }
    }

    private void ensureWorker() {
        synchronized (startLock) {
            if (worker == null || !worker.isAlive()) {
                worker = new Thread(this::loop, "asclepius-generate");
                worker.setDaemon(true);
                worker.start();
            }
        }
    }

    private void loop() {
        PyTorchRuntime.prepareThread();
        activeThreads = PyTorchRuntime.threads();
        while (!closing.getAsBoolean()) {
            runTasks();
            Request first;
            try {
                first = waiting.poll(5, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (first == null) {
                engineLock.lock();
                try {
                    prefixes.releaseIfIdle(prefixCaching ? PREFIX_IDLE_NANOS : 0);
                } finally {
                    engineLock.unlock();
                }
                continue;
            }
            List<Request> batch = new ArrayList<>(List.of(first));
            synchronized (waiting) {
                while (batch.size() < maxBatch && waiting.peek() != null && fits(batch, waiting.peek())) {
                    batch.add(waiting.poll());
                }
            }
            running = true;
            try {
                run(batch);
            } catch (RuntimeException e) {
                RuntimeException failure = e instanceof ai.djl.engine.EngineException
                        ? new EngineException("PyTorch failed during generation: " + e.getMessage(), e) : e;
                batch.forEach(r -> r.done().completeExceptionally(failure));
            } finally {
                running = false;
            }
        }
        failWaiting();
        runTasks();   // their work fails fast on the closed model, which completes their callers
        engineLock.lock();
        try {
            prefixes.close();
        } finally {
            engineLock.unlock();
        }
    }

    /** Bytes of KV cache for {@code tokens} slots of one sequence. */
    private long kvBytes(long tokens) {
        return model.kvBytesPerToken() * tokens;
    }

    /** Whether {@code tokens} more slots, next to {@code inUse} slots already allocated, stay within the budget. */
    private boolean withinBudget(long inUse, long tokens) {
        return kvBudget == Long.MAX_VALUE || kvBytes(inUse + tokens) <= kvBudget;
    }

    /**
     * Tokens at the start of {@code prompt} (at most {@code limit}) whose keys and values the prefix cache
     * holds, or 0 when caching is off or too few match to be worth a copy.
     */
    private int reusable(int[] prompt, int limit, String scope) {
        if (!prefixCaching) {
            return 0;
        }
        int n = prefixes.match(prompt, limit, scope);
        return n >= MIN_SHARED_PREFIX ? n : 0;
    }

    /**
     * Keeps the first {@code length} slots of {@code source}'s row 0, which hold {@code tokens}, as the
     * prefix cache's entry (copied, so the running batch can keep changing its cache).
     */
    private void retain(int[] tokens, KvCache source, long batchSlots, String scope) {
        if (!prefixCaching || tokens.length < MIN_RETAINED_PROMPT || !withinBudget(batchSlots, tokens.length)) {
            return;
        }
        KvCache copy = model.newCache(1, tokens.length);
        copy.copyPrefix(source, tokens.length);
        prefixes.store(tokens, copy, scope);
    }

    private boolean fits(List<Request> batch, Request candidate) {
        int tokens = candidate.prompt().length + candidate.config().maxNewTokens();
        for (Request r : batch) {
            tokens = Math.max(tokens, r.prompt().length + r.config().maxNewTokens());
        }
        return batch.size() + 1 <= rowsThatFit.applyAsInt(Math.min(model.config().contextLength(), 2 * tokens));
    }

    private void failWaiting() {
        Request r;
        while ((r = waiting.poll()) != null) {
            r.done().completeExceptionally(new ModelClosedException("The model was closed before this generation started."));
        }
    }

    /** Runs one batch from its first prefill until its last row finishes, admitting joiners on the way. */
    private void run(List<Request> initial) {
        int context = model.config().contextLength();
        int need = 0;
        for (Request r : initial) {
            need = Math.max(need, r.prompt().length + r.config().maxNewTokens());
        }
        // Headroom for requests that join later; bounded by the context and the KV budget.
        int capacity = Math.min(context, 2 * need);
        while (capacity > need && rowsThatFit.applyAsInt(capacity) < Math.min(maxBatch, initial.size() + 1)) {
            capacity = Math.max(need, capacity * 3 / 4);
        }
        capacity = Math.min(capacity, context);
        if (!withinBudget((long) initial.size() * capacity, prefixes.length())) {
            freeing(prefixes::close);   // the batch needs the memory more than a possible reuse
        }
        List<Row> rows = new ArrayList<>();
        KvCache cache = null;
        try {
            long started = System.nanoTime();
            int slots = capacity;
            cache = locked(() -> model.newCache(initial.size(), slots));
            int[] sharedPrefix = {0};   // slots every row holds identically (0 once any request joins)
            int slot = prefill(initial, cache, rows, started, capacity, sharedPrefix);
            widestBatch = Math.max(widestBatch, rows.size());
            NDArray mask = null;
            boolean maskStale = true;
            while (true) {
                // Take each row's token; finished rows leave.
                long now = System.nanoTime();
                long[] keep = new long[rows.size()];
                int kept = 0;
                List<Row> still = new ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    Row row = rows.get(i);
                    if (!accept(row, context, now)) {
                        keep[kept++] = i;
                        still.add(row);
                    }
                }
                if (kept < rows.size()) {
                    KvCache batchCache = cache;
                    long[] keptRows = Arrays.copyOf(keep, kept);
                    locked(() -> {
                        batchCache.keepRows(keptRows);
                        return null;
                    });
                    maskStale = true;
                }
                rows = still;
                if (closing.getAsBoolean()) {
                    throw new ModelClosedException("The model was closed during generation; the partial output was discarded.");
                }
                if (admit(rows, cache, slot, capacity, context)) {
                    maskStale = true;
                    sharedPrefix[0] = 0;   // a joined row's own tokens may sit in the prefix slots
                }
                if (rows.isEmpty()) {
                    break;
                }
                widestBatch = Math.max(widestBatch, rows.size());
                if (slot >= capacity) {
                    now = System.nanoTime();
                    for (Row row : rows) {
                        row.sequence.stopForContext();
                        complete(row, now);
                    }
                    break;
                }
                if (maskStale) {
                    if (mask != null) {
                        freeing(mask::close);
                        mask = null;
                    }
                    // Under the engine lock like every native allocation: a close between two steps must end
                    // these generations with ModelClosedException, not DJL's "NDManager has been closed".
                    engineLock.lock();
                    try {
                        ensureOpen();
                        mask = maskFor(rows, capacity);
                    } finally {
                        engineLock.unlock();
                    }
                    maskStale = false;
                }
                step(rows, cache, mask, slot, sharedPrefix[0]);
                slot++;
                runTasks();
            }
            if (mask != null) {
                freeing(mask::close);
            }
        } catch (RuntimeException e) {
            for (Row row : rows) {
                row.request.done().completeExceptionally(e);
            }
            throw e;
        } finally {
            if (cache != null) {
                freeing(cache::close);
            }
        }
    }

    /** Prefills the starting rows; returns the next free slot. */
    private int prefill(List<Request> requests, KvCache cache, List<Row> rows, long started, int capacity,
                        int[] sharedPrefix) {
        NDManager manager = model.manager();
        useThreads(prefillThreads);
        if (requests.size() == 1) {
            Request r = requests.get(0);
            Row row = new Row(r, new Sequence(r.prompt(), r.config(), tokenizer, r.listener(), capacity), 0, 0, started);
            int[] prompt = r.prompt();
            String cacheScope = r.config().cacheScope();
            int reused = reusable(prompt, prompt.length - 1, cacheScope);   // the last token must run to give logits
            engineLock.lock();
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                ensureOpen();
                row.next = choose(forwardAlone(prompt, reused, cache), List.of(row))[0];
                row.sequence.cachedPromptTokens(reused);
                retain(prompt, cache, capacity, cacheScope);
            } finally {
                engineLock.unlock();
            }
            rows.add(row);
            return prompt.length;
        }
        List<int[]> prompts = requests.stream().map(Request::prompt).toList();
        // Prompts of different cache scopes never share computed keys and values, not even within a batch.
        String cacheScope = requests.get(0).config().cacheScope();
        boolean oneScope = requests.stream().allMatch(r -> r.config().cacheScope().equals(cacheScope));
        int shared = oneScope ? sharedPrefix(prompts) : 0;
        int longest = prompts.stream().mapToInt(p -> p.length - shared).max().orElseThrow();
        for (Request r : requests) {
            int gap = longest - (r.prompt().length - shared);
            rows.add(new Row(r, new Sequence(r.prompt(), r.config(), tokenizer, r.listener(), capacity), shared, gap, started));
        }
        engineLock.lock();
        try (NDArray mask = ifOpen(() -> maskFor(rows, capacity))) {
            if (shared > 0) {
                int[] prefixTokens = Arrays.copyOf(prompts.get(0), shared);
                int reused = reusable(prefixTokens, shared, cacheScope);
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    if (reused == shared) {
                        cache.copyPrefix(prefixes.kv(), shared);
                    } else {
                        computePrefix(prefixTokens, reused, cache, (long) rows.size() * capacity, cacheScope);
                    }
                }
                for (Row row : rows) {
                    row.sequence.cachedPromptTokens(reused);
                }
            }
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                int n = rows.size();
                int[] ids = new int[n * longest];
                long[] positions = new long[n * longest];
                for (int b = 0; b < n; b++) {
                    Row row = rows.get(b);
                    int[] p = row.request.prompt();
                    System.arraycopy(p, shared, ids, b * longest + row.gap, p.length - shared);
                    for (int t = 0; t < longest; t++) {
                        positions[b * longest + t] = shared + Math.max(0, t - row.gap);
                    }
                }
                NDArray logits = model.forward(ids, n, shared,
                        manager.create(positions, new Shape(n, longest)), mask, cache, shared, false);
                sharedPrefix[0] = shared;
                int[] next = choose(logits, rows);
                for (int b = 0; b < n; b++) {
                    rows.get(b).next = next[b];
                }
            }
        } finally {
            engineLock.unlock();
        }
        return shared + longest;
    }

    /**
     * Runs {@code tokens} as one sequence into {@code cache} (batch 1), the first {@code reused} of them copied
     * from the prefix cache instead of computed; returns the last position's logits [1, vocab].
     */
    private NDArray forwardAlone(int[] tokens, int reused, KvCache cache) {
        if (reused > 0) {
            cache.copyPrefix(prefixes.kv(), reused);
        }
        return model.forward(Arrays.copyOfRange(tokens, reused, tokens.length), reused, cache, false);
    }

    /**
     * Computes the keys and values of {@code tokens} (a batch's shared prefix) once, starting from the first
     * {@code reused} that the prefix cache holds, copies them into every row of {@code cache}, and keeps them
     * as the prefix cache's entry.
     */
    private void computePrefix(int[] tokens, int reused, KvCache cache, long batchSlots, String scope) {
        KvCache prefix = model.newCache(1, tokens.length);
        try {
            forwardAlone(tokens, reused, prefix);
            cache.copyPrefix(prefix, tokens.length);
        } catch (RuntimeException e) {
            prefix.close();
            throw e;
        }
        if (prefixCaching && withinBudget(batchSlots, tokens.length)) {
            prefixes.store(tokens, prefix, scope);
        } else {
            prefix.close();
        }
    }

    /**
     * Admits queued requests whose prompt fits before {@code slot} and whose answer fits the cache: each
     * is prefilled alone and its keys and values appended as a new row ending at {@code slot}.
     *
     * @return whether any row joined
     */
    private boolean admit(List<Row> rows, KvCache cache, int slot, int capacity, int context) {
        boolean joined = false;
        while (!rows.isEmpty() && rows.size() < maxBatch) {
            Request r;
            synchronized (waiting) {
                r = waiting.peek();
                if (r == null) {
                    return joined;
                }
                int length = r.prompt().length;
                int room = Math.min(r.config().maxNewTokens(), context - length);
                if (length > slot || slot + room > capacity
                        || rows.size() + 1 > rowsThatFit.applyAsInt(capacity)) {
                    return joined;   // first in, first served: later requests wait behind it
                }
                waiting.poll();
            }
            long started = System.nanoTime();
            int length = r.prompt().length;
            Row row = new Row(r, new Sequence(r.prompt(), r.config(), tokenizer, r.listener(), capacity), 0, slot - length, started);
            engineLock.lock();
            int reused = reusable(r.prompt(), length - 1, r.config().cacheScope());
            useThreads(prefillThreads);
            try (KvCache alone = ifOpen(() -> model.newCache(1, length)); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                row.next = choose(forwardAlone(r.prompt(), reused, alone), List.of(row))[0];
                row.sequence.cachedPromptTokens(reused);
                cache.appendRow(alone, length, slot - length);
            } catch (RuntimeException e) {
                r.done().completeExceptionally(e);
                continue;
            } finally {
                engineLock.unlock();
            }
            if (accept(row, context, System.nanoTime())) {
                locked(() -> {
                    cache.keepRows(allButLast(cache.batch()));
                    return null;
                });
            } else {
                rows.add(row);
            }
            joined = true;
        }
        return joined;
    }

    /** Called with the engine lock held: close() takes it after marking the model closed. */
    private void ensureOpen() {
        if (closing.getAsBoolean()) {
            throw new ModelClosedException("The model was closed during generation; the partial output was discarded.");
        }
    }

    /**
     * Native work of the engine, run under its lock and only while the model is open. close() marks the model
     * closed, then takes this lock to free the native memory: outside the lock, an op could run on memory
     * close() frees at that moment (a SIGSEGV in KvCache.keepRows) or on a closed manager (DJL's
     * IllegalStateException); under it, the op either runs before the close or sees it and throws
     * {@link ModelClosedException}.
     */
    private <T> T locked(java.util.function.Supplier<T> work) {
        engineLock.lock();
        try {
            ensureOpen();
            return work.get();
        } finally {
            engineLock.unlock();
        }
    }

    /**
     * Frees native memory under the engine lock. After close() the model's manager has freed it already and
     * DJL's close is then a no-op; the lock keeps the two frees from interleaving.
     */
    private void freeing(Runnable free) {
        engineLock.lock();
        try {
            free.run();
        } finally {
            engineLock.unlock();
        }
    }

    /** {@code resource} made only while the model is open (called with the engine lock held). */
    private <T> T ifOpen(java.util.function.Supplier<T> resource) {
        ensureOpen();
        return resource.get();
    }

    private static long[] allButLast(int width) {
        long[] keep = new long[width - 1];
        Arrays.setAll(keep, i -> i);
        return keep;
    }

    /** One decode step for every row: the plain forward pass for a lone unmasked row, else the batched one. */
    private void step(List<Row> rows, KvCache cache, NDArray mask, int slot, int sharedPrefix) {
        NDManager manager = model.manager();
        int n = rows.size();
        int[] ids = new int[n];
        long[] positions = new long[n];
        for (int b = 0; b < n; b++) {
            Row row = rows.get(b);
            ids[b] = row.next;
            positions[b] = slot - row.gap;
            row.sequence.countDecodeStep();
        }
        useThreads(n <= BANDWIDTH_BOUND_ROWS ? decodeThreads : prefillThreads);
        engineLock.lock();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            ensureOpen();
            NDArray logits = n == 1 && rows.get(0).gap == 0
                    ? model.forward(ids, slot, cache, false)
                    : model.forward(ids, n, slot, manager.create(positions, new Shape(n, 1)),
                            mask, cache, sharedPrefix, false);
            int[] next = choose(logits, rows);
            for (int b = 0; b < n; b++) {
                rows.get(b).next = next[b];
            }
        } finally {
            engineLock.unlock();
        }
    }

    /** Takes the row's pending token; completes the row's future when that ends it. */
    private boolean accept(Row row, int context, long now) {
        if (row.firstToken == 0) {
            row.firstToken = now;
        }
        boolean finished;
        try {
            finished = row.sequence.accept(row.next, context);
        } catch (RuntimeException listenerFailure) {
            // A caller's listener gave up (e.g. its client disconnected): only that generation ends.
            row.request.done().completeExceptionally(listenerFailure);
            return true;
        }
        if (finished) {
            complete(row, now);
        }
        return finished;
    }

    private static void complete(Row row, long now) {
        try {
            row.request.done().complete(row.sequence.result(Duration.ofNanos(row.firstToken - row.started),
                    Duration.ofNanos(now - row.firstToken)));
        } catch (RuntimeException listenerFailure) {
            row.request.done().completeExceptionally(listenerFailure);
        }
    }

    /** Additive mask [rows, capacity]: each row's masked slots blocked, everything else open. */
    private NDArray maskFor(List<Row> rows, int capacity) {
        float[] mask = new float[rows.size() * capacity];
        for (int b = 0; b < rows.size(); b++) {
            Row row = rows.get(b);
            Arrays.fill(mask, b * capacity + row.gapStart, b * capacity + row.gapStart + row.gap, BLOCKED);
        }
        NDArray array = model.manager().create(mask, new Shape(rows.size(), capacity));
        NDScope.unregister(array);
        return array;
    }

    /**
     * Tokens every prompt starts with, leaving each at least one token of its own (the last prompt token
     * must run in the batched pass to give that row's first logits); 0 when too short to be worth a pass.
     */
    static int sharedPrefix(List<int[]> prompts) {
        if (prompts.size() < 2) {
            return 0;
        }
        int[] first = prompts.get(0);
        int shared = first.length - 1;
        for (int[] p : prompts) {
            shared = Math.min(shared, p.length - 1);
            for (int i = 0; i < shared; i++) {
                if (p[i] != first[i]) {
                    shared = i;
                    break;
                }
            }
        }
        return shared >= MIN_SHARED_PREFIX ? shared : 0;
    }

    /** Next token of every row from [rows, vocab] logits. */
    private static int[] choose(NDArray logits, List<Row> rows) {
        boolean allGreedy = true;
        for (Row row : rows) {
            allGreedy &= !row.sequence.sampler().needsLogits();
        }
        int[] next = new int[rows.size()];
        if (allGreedy) {
            long[] ids = logits.argMax(-1).toLongArray();
            for (int i = 0; i < next.length; i++) {
                next[i] = (int) ids[i];
            }
            return next;
        }
        float[] all = logits.toType(DataType.FLOAT32, false).toFloatArray();
        int vocab = all.length / rows.size();
        for (int i = 0; i < next.length; i++) {
            Sequence s = rows.get(i).sequence;
            next[i] = s.sampler().next(Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab), s.seen(), s.seenCount());
        }
        return next;
    }
}
