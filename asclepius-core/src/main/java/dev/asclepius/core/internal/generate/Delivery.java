package dev.asclepius.core.internal.generate;

import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.TokenListener;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands one generation's tokens and its result to the caller, off the generation thread and in order: its
 * own lane. The generation thread only queues (it never waits for a listener), so a listener that blocks
 * (a slow client, a full pipe) delays its own generation's result and nothing else; other rows keep
 * decoding and finishing.
 *
 * <p>A lane runs on a pooled daemon thread while it has events and gives the thread back when it has none:
 * at most one thread per generation whose listener is behind, none for a generation without a listener
 * (its result alone goes through the lane, so that stages the caller chained to the future do not run on
 * the generation thread either). The backlog holds at most one event per generated token plus the result,
 * so it is bounded by the generation's own {@code maxNewTokens} (and the context): a lagging listener costs
 * memory for its own tokens only, and the future completes once the listener has seen every token, as the
 * synchronous API promises ({@link TokenListener}: the deltas concatenate to the result's text).
 *
 * <p>The future is the generation's state: once it is done (completed, cancelled by the caller, timed out,
 * or failed because the listener threw) the lane drops what it still holds and the scheduler drops the row
 * at its next step, freeing its cache.
 */
final class Delivery implements TokenListener {
    /** Lanes' threads: created on demand, kept 30 s when idle, daemon so they never hold the JVM open. */
    private static final ExecutorService LANES = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), new DaemonThreads());

    private final TokenListener listener;
    private final CompletableFuture<GenerationResult> future;
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();   // guarded by this
    private boolean draining;                                          // guarded by this
    private boolean ended;                                             // guarded by this: result or failure queued

    Delivery(TokenListener listener, CompletableFuture<GenerationResult> future) {
        this.listener = listener;
        this.future = future;
    }

    CompletableFuture<GenerationResult> future() {
        return future;
    }

    /** Whether the caller no longer waits for this generation: its future is done one way or another. */
    boolean abandoned() {
        return future.isDone();
    }

    /** Queues a token for the listener (generation thread; never blocks). */
    @Override
    public void onToken(String textDelta, int tokenId) {
        if (listener != TokenListener.NONE) {
            post(() -> listener.onToken(textDelta, tokenId), false);
        }
    }

    /** Completes the future with {@code result} once the listener has seen every earlier token. */
    void complete(GenerationResult result) {
        post(() -> future.complete(result), true);
    }

    /**
     * Fails the generation after the tokens already queued, unless its result or a failure is already on its
     * way (a batch that fails after this row finished must not turn its result into that failure).
     */
    void fail(Throwable failure) {
        post(() -> future.completeExceptionally(failure), true);
    }

    private void post(Runnable event, boolean end) {
        boolean start;
        synchronized (this) {
            if (ended || future.isDone()) {
                return;
            }
            if (end) {
                ended = true;
            }
            pending.add(event);
            start = !draining;
            draining = true;
        }
        if (start) {
            LANES.execute(this::drain);
        }
    }

    /** Runs the lane's events in order until it has none (one thread per lane at a time). */
    private void drain() {
        while (true) {
            Runnable event;
            synchronized (this) {
                event = future.isDone() ? null : pending.poll();
                if (event == null) {
                    pending.clear();
                    draining = false;
                    return;
                }
            }
            try {
                event.run();
            } catch (RuntimeException | Error listenerFailure) {
                // The caller's listener gave up (e.g. its client disconnected): only this generation ends.
                future.completeExceptionally(listenerFailure);
            }
        }
    }

    private static final class DaemonThreads implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "asclepius-listener-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
