package dev.asclepius.cli.serve;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The threads that run generations: {@code workers} at once (the model blocks a thread per generation; the
 * local engine batches them) and at most {@code maxQueued} waiting. A full queue answers 503 at once rather
 * than letting requests pile up without bound (memory, and answers too late to be useful).
 */
final class GenerationPool implements AutoCloseable {
    private final ThreadPoolExecutor executor;

    GenerationPool(int workers, int maxQueued) {
        this.executor = new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(maxQueued), CompletionServer.daemonThreads("asclepius-serve-"),
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** Queues {@code generation}, which must answer the request; when the queue is full, answers 503 here. */
    void submit(Response response, Callback callback, Runnable generation) {
        try {
            executor.execute(generation);
        } catch (RejectedExecutionException busy) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            Replies.sendError(response, callback, 503, "The server is busy (" + executor.getQueue().size()
                    + " requests waiting); retry shortly", "server_error", null, "server_busy");
        }
    }

    /** Interrupts running generations and drops queued ones (their connections are closed with the server). */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
