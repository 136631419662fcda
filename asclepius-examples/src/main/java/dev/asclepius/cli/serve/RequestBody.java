package dev.asclepius.cli.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads request bodies without holding a thread, within the size limit and the body deadline: a client
 * that sends its body slowly (or less than its Content-Length) costs a connection for at most the deadline,
 * never a worker, and a body over the limit is refused as soon as it crosses it (a chunked body declares no
 * length, so the declared-length check in {@link Admission} cannot catch it).
 */
final class RequestBody {
    private static final Logger LOG = LoggerFactory.getLogger(RequestBody.class);

    private final long maxBytes;
    private final long timeoutMillis;
    private final ScheduledExecutorService timer;

    RequestBody(long maxBytes, long timeoutMillis, ScheduledExecutorService timer) {
        this.maxBytes = maxBytes;
        this.timeoutMillis = timeoutMillis;
        this.timer = timer;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** The 413 message, for a declared ({@code bytes}) or a counted (-1: it crossed the limit) length. */
    String tooLarge(long bytes) {
        return "The request body is " + (bytes < 0 ? "more than " + maxBytes : bytes) + " bytes; this server "
                + "accepts at most " + maxBytes + " (--max-request-bytes)";
    }

    /**
     * Reads the body and gives it to {@code then} (on the thread that read its last chunk); a body that
     * fails, is too large or late is answered here. An exception from {@code then} becomes a 500.
     */
    void read(Request request, Response response, Callback callback, Consumer<byte[]> then) {
        // The idle timeout guards reading the request; once it is read, a generation may run for minutes
        // without writing (a long prompt on a CPU, a non-streaming answer), which must not time it out.
        AtomicBoolean read = new AtomicBoolean();
        request.addIdleTimeoutListener(timeout -> !read.get());
        CompletableFuture<byte[]> body = new CompletableFuture<>();
        new Reader(request, body).run();
        ScheduledFuture<?> deadline = timer.schedule(() -> body.completeExceptionally(new TimeoutException()),
                timeoutMillis, TimeUnit.MILLISECONDS);
        body.whenComplete((bytes, failure) -> {
            deadline.cancel(false);
            read.set(failure == null);
            try {
                if (failure != null) {
                    failed(response, callback, failure);
                } else {
                    then.accept(bytes);
                }
            } catch (RuntimeException e) {
                Replies.internalError(response, callback, e);
            }
        });
    }

    /** The body grew past the limit while it was read. */
    private static final class TooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("request body over the limit", null, false, false);
        }
    }

    /**
     * Reads a request body chunk by chunk without holding a thread while the client is slow (it asks Jetty to
     * call it again when bytes arrive), and stops at the size limit. Once {@code done} is complete (also by
     * the body deadline, whose 408 may finish the exchange first) it never touches the request again.
     */
    private final class Reader implements Runnable {
        private final Request request;
        private final CompletableFuture<byte[]> done;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Reader(Request request, CompletableFuture<byte[]> done) {
            this.request = request;
            this.done = done;
        }

        @Override
        public void run() {
            while (!done.isDone()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);   // a plain Runnable: Jetty calls it on a pool thread, not its selector
                    return;
                }
                try {
                    if (Content.Chunk.isFailure(chunk)) {
                        done.completeExceptionally(chunk.getFailure());
                        return;
                    }
                    ByteBuffer buffer = chunk.getByteBuffer();
                    if (bytes.size() + (long) buffer.remaining() > maxBytes) {
                        done.completeExceptionally(new TooLarge());
                        return;
                    }
                    byte[] part = new byte[buffer.remaining()];
                    buffer.get(part);
                    bytes.write(part, 0, part.length);
                    if (chunk.isLast()) {
                        done.complete(bytes.toByteArray());
                        return;
                    }
                } finally {
                    chunk.release();
                }
            }
        }
    }

    /** Answers a body that could not be read; the connection is closed (the rest of the body is unread). */
    private void failed(Response response, Callback callback, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        if (cause instanceof TimeoutException) {
            LOG.debug("Request body not received within the deadline");
            Replies.sendError(response, callback, 408, "The request body did not arrive within " + timeoutMillis
                    + " ms (it is shorter than its Content-Length, or sent too slowly)", "invalid_request_error", null,
                    "request_timeout");
        } else if (cause instanceof IOException || cause instanceof EofException) {
            callback.failed(cause);   // the client has gone or the connection failed: nobody to answer
        } else if (cause instanceof TooLarge || (cause instanceof HttpException h && h.getCode() == 413)) {
            Replies.sendError(response, callback, 413, tooLarge(-1), "invalid_request_error", null,
                    "request_too_large");
        } else if (cause instanceof HttpException h) {
            Replies.sendError(response, callback, h.getCode(), "Malformed request body: " + h.getReason(),
                    "invalid_request_error", null, null);
        } else {
            Replies.sendError(response, callback, 400, "Could not read the request body: " + cause,
                    "invalid_request_error", null, null);
        }
    }
}
