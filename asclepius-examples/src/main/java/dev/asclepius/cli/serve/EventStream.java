package dev.asclepius.cli.serve;

import dev.asclepius.core.internal.wire.SseWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Server-sent events, written asynchronously in order: the model's thread only queues an event, so a
 * slow reader never slows the generation; a failed write (the client has gone) stops it at the next token.
 * Events queued while a write is in flight go out together in the next write.
 */
final class EventStream {
    private final Response response;
    private final Callback done;
    private final AtomicBoolean gone = new AtomicBoolean();
    private final ArrayDeque<String> pending = new ArrayDeque<>();
    private boolean started;
    private boolean writing;
    private boolean ended;
    private boolean lastSent;

    EventStream(Response response, Callback done) {
        this.response = response;
        this.done = done;
    }

    boolean gone() {
        return gone.get();
    }

    synchronized boolean started() {
        return started;
    }

    /** Commits the 200 and the event-stream headers (at the first token: a prompt error stays a JSON 400). */
    synchronized void start() {
        if (!started) {
            started = true;
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        }
    }

    /** Queues one {@code message} event with this data (framed by the shared {@link SseWriter}). */
    void send(String data) {
        synchronized (this) {
            start();
            pending.add(SseWriter.data(data));
        }
        pump();
    }

    /** Ends the response once the queued events are written. */
    void end() {
        synchronized (this) {
            start();
            ended = true;
        }
        pump();
    }

    private void pump() {
        ByteBuffer buffer;
        boolean last;
        synchronized (this) {
            if (writing || gone.get() || lastSent || (pending.isEmpty() && !ended)) {
                return;
            }
            StringBuilder text = new StringBuilder();
            while (!pending.isEmpty()) {
                text.append(pending.poll());
            }
            buffer = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            last = ended;
            lastSent = last;
            writing = true;
        }
        // Jetty allows one write at a time; its completion (on a Jetty thread) sends what queued meanwhile.
        response.write(last, buffer, Callback.from(() -> {
            synchronized (this) {
                writing = false;
            }
            if (last) {
                done.succeeded();
            } else {
                pump();
            }
        }, failure -> {
            synchronized (this) {
                writing = false;
            }
            gone.set(true);
            done.failed(failure);
        }));
    }

    /** Jetty saw the connection fail (the client closed it): stop at the next token. */
    void clientGone(Throwable failure) {
        gone.set(true);
    }
}
