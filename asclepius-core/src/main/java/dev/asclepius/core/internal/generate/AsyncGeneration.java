package dev.asclepius.core.internal.generate;

import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.TokenListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * {@link dev.asclepius.core.LanguageModel#generateAsync}'s default: a blocking generation run on a thread
 * of its own, cancelled between tokens. Backends without a scheduler of their own (remote servers,
 * llama.cpp) get a cancellable future this way; the local model's scheduler does it natively.
 */
public final class AsyncGeneration {
    /** Created on demand, kept 30 s when idle; daemon, so a forgotten future never holds the JVM open. */
    private static final ExecutorService THREADS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "asclepius-async-" + Counter.NEXT.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private AsyncGeneration() {
    }

    /**
     * Runs {@code generation} with a listener that forwards to {@code listener} and, once the returned
     * future is done (cancelled, timed out), throws at the next token so that the generation stops there.
     * A future cancelled before its thread starts never runs the generation.
     */
    public static CompletableFuture<GenerationResult> start(TokenListener listener,
                                                            Function<TokenListener, GenerationResult> generation) {
        CompletableFuture<GenerationResult> future = new CompletableFuture<>();
        TokenListener checked = (delta, tokenId) -> {
            if (future.isDone()) {
                throw new Abandoned();
            }
            listener.onToken(delta, tokenId);
        };
        THREADS.execute(() -> {
            if (future.isDone()) {
                return;   // cancelled before it started
            }
            try {
                future.complete(generation.apply(checked));
            } catch (RuntimeException | Error e) {
                future.completeExceptionally(e);   // a no-op when the caller ended it first (Abandoned)
            }
        });
        return future;
    }

    /** Thrown from the listener to stop a generation whose caller no longer waits for it. */
    private static final class Abandoned extends RuntimeException {
        Abandoned() {
            super("generation abandoned by its caller", null, false, false);
        }
    }

    private static final class Counter {
        static final AtomicInteger NEXT = new AtomicInteger();
    }
}
