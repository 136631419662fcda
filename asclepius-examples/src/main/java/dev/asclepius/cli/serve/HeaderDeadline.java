package dev.asclepius.cli.serve;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes connections that have been sending one request's line and headers for longer than the header
 * deadline. Jetty parses without holding a thread, so such a client only costs a connection; this bounds
 * how long it can keep one (the idle timeout alone would not: a byte every few seconds resets it). Jetty has
 * no setting for this, so it reads the state of Jetty's HTTP parser (an internal class: the slow-header test
 * in ServeHardeningTest guards it across Jetty upgrades).
 */
final class HeaderDeadline {
    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);
    /** How often connections are checked against the header deadline. */
    static final long SWEEP_MILLIS = 100;

    private final ServerConnector connector;
    private final long timeoutNanos;
    private final Map<EndPoint, Long> headersSince = new ConcurrentHashMap<>();

    HeaderDeadline(ServerConnector connector, long timeoutNanos) {
        this.connector = connector;
        this.timeoutNanos = timeoutNanos;
    }

    /** One check of every connection; runs every {@link #SWEEP_MILLIS} on the server's timer. */
    void sweep() {
        long now = System.nanoTime();
        try {
            for (EndPoint endPoint : connector.getConnectedEndPoints()) {
                HttpParser parser = endPoint.getConnection() instanceof HttpConnection c ? c.getParser() : null;
                if (parser != null && !parser.isStart() && parser.inHeaderState()) {
                    long since = headersSince.computeIfAbsent(endPoint, e -> now);
                    if (now - since > timeoutNanos) {
                        LOG.debug("Closing {}: its request headers took longer than the deadline", endPoint);
                        headersSince.remove(endPoint);
                        endPoint.close();
                    }
                } else {
                    headersSince.remove(endPoint);
                }
            }
            headersSince.keySet().removeIf(e -> !e.isOpen());
        } catch (RuntimeException e) {
            // A failed sweep must not cancel the fixed-delay schedule (an exception would): the next one retries.
            LOG.warn("Header deadline check failed", e);
        }
    }
}
