package dev.asclepius.cli.serve;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible HTTP server over a {@link LanguageModel}: {@code POST /v1/completions} (raw prompt as
 * a string or token-id array; {@code stream: true} as server-sent events ending in {@code data: [DONE]}),
 * {@code GET /v1/models} and {@code GET /health}. vLLM's extensions {@code top_k},
 * {@code repetition_penalty}, {@code stop_token_ids}, {@code ignore_eos}, {@code return_token_ids} and
 * {@code cache_salt} are understood. Errors are OpenAI-style JSON: {@code {"error": {"message", "type",
 * "param", "code"}}}.
 *
 * <p>Built to face an untrusted network (docs/deployment.md, "Security"). Jetty reads requests without
 * blocking a thread, so a client that sends its headers or body slowly costs a connection, never a worker;
 * connections that take longer than the header ({@link HeaderDeadline}) or body ({@link RequestBody})
 * deadline to send their request are closed, and the number of connections is capped. Before any body byte
 * is read a request must pass {@link Admission}: the Host allow-list (DNS rebinding), the API key (compared
 * in constant time), {@code Content-Type: application/json} (a web page cannot send that without a CORS
 * preflight, which is refused unless origins were allowed) and the declared body size. The body is then
 * read against its size limit and deadline, parsed as strict JSON ({@link RequestParser}), and a text
 * prompt too long in bytes to fit the context is refused before it is tokenized. Generations run on a
 * fixed pool of {@code workers} threads with a bounded queue ({@link GenerationPool}: 503 when full); the
 * model serves them as it can (the local engine batches them).
 *
 * <p>The prefix cache of a local model is partitioned by API key and the request's {@code cache_salt}
 * ({@link GenerationConfig#cacheScope()}): {@code usage.prompt_tokens_details.cached_tokens} never reflects
 * another key's (or salt's) prompts.
 *
 * <p>This class only assembles the parts and runs Jetty; each part is in its own file of this package.
 */
public final class CompletionServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionServer.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Server server;
    private final ServerConnector connector;
    private final GenerationPool generations;
    private final ScheduledThreadPoolExecutor timer;

    public static Builder builder(LanguageModel model, String modelName) {
        return new Builder(model, modelName);
    }

    /** The server's settings; every one has a safe default. */
    public static final class Builder {
        private final LanguageModel model;
        private final String modelName;
        private String host = "127.0.0.1";
        private int port;
        private int workers = 16;
        private int maxQueued = 64;
        private final List<String> apiKeys = new ArrayList<>();
        private final List<String> allowedHosts = new ArrayList<>();
        private final List<String> corsOrigins = new ArrayList<>();
        private boolean allowUnauthenticatedRemote;
        private int maxHeaderBytes = 8 * 1024;
        private long maxBodyBytes = 1024 * 1024;
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration bodyTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private int maxConnections = 512;

        private Builder(LanguageModel model, String modelName) {
            this.model = model;
            this.modelName = modelName;
        }

        public Builder host(String value) {
            this.host = value;
            return this;
        }

        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /** Generations in flight at once (the local engine decodes them as one batch). */
        public Builder workers(int value) {
            this.workers = value;
            return this;
        }

        /** Generation requests waiting for a worker before new ones get 503. */
        public Builder maxQueued(int value) {
            this.maxQueued = value;
            return this;
        }

        /** Requests to /v1/* must send {@code Authorization: Bearer KEY} with one of the keys added. */
        public Builder apiKey(String value) {
            if (value == null || value.isBlank()) {
                throw new InvalidInputException("An API key must not be empty");
            }
            apiKeys.add(value);
            return this;
        }

        /** A Host header value (name or address, without port) to accept besides the loopback names; "*": any. */
        public Builder allowedHost(String value) {
            allowedHosts.add(value);
            return this;
        }

        /** An origin (scheme://host[:port]) whose web pages may call the API (CORS); "*": any. */
        public Builder corsOrigin(String value) {
            corsOrigins.add(value);
            return this;
        }

        /** Bind a non-loopback address without an API key (refused otherwise). */
        public Builder allowUnauthenticatedRemote(boolean value) {
            this.allowUnauthenticatedRemote = value;
            return this;
        }

        public Builder maxHeaderBytes(int value) {
            this.maxHeaderBytes = value;
            return this;
        }

        public Builder maxBodyBytes(long value) {
            this.maxBodyBytes = value;
            return this;
        }

        /** How long a client may take to send a request's line and headers. */
        public Builder headerTimeout(Duration value) {
            this.headerTimeout = value;
            return this;
        }

        /** How long a client may take to send a request's body. */
        public Builder bodyTimeout(Duration value) {
            this.bodyTimeout = value;
            return this;
        }

        /** A connection that sends and receives nothing for this long is closed. */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        public Builder maxConnections(int value) {
            this.maxConnections = value;
            return this;
        }

        public CompletionServer start() throws IOException {
            positive("workers", workers);
            positive("max queued requests", maxQueued);
            positive("max header bytes", maxHeaderBytes);
            positive("max body bytes", maxBodyBytes);
            positive("max connections", maxConnections);
            for (Duration d : List.of(headerTimeout, bodyTimeout, idleTimeout)) {
                if (d.isNegative() || d.isZero()) {
                    throw new InvalidInputException("Timeouts must be > 0, got " + d);
                }
            }
            if (port < 0 || port > 65535) {
                throw new InvalidInputException("The port must be in 0..65535, got " + port);
            }
            if (apiKeys.isEmpty() && !isLoopback(host)) {
                if (!allowUnauthenticatedRemote) {
                    throw new InvalidInputException("Refusing to serve on " + host + " without an API key: anyone "
                            + "who can reach this address could run the model. Set --api-key (or ASCLEPIUS_API_KEY), "
                            + "bind 127.0.0.1, or pass --allow-unauthenticated to accept the risk.");
                }
                LOG.warn("!!! Serving on {} WITHOUT an API key: anyone who can reach this address can run the model "
                        + "and read its answers. !!!", host);
            }
            return new CompletionServer(this);
        }

        private static void positive(String what, long value) {
            if (value <= 0) {
                throw new InvalidInputException(what + " must be > 0, got " + value);
            }
        }
    }

    /** Whether {@code host} names only this machine (a wildcard such as 0.0.0.0 does not). */
    public static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private CompletionServer(Builder b) throws IOException {
        ApiKeys keys = new ApiKeys(b.apiKeys);
        Set<String> hosts = HostNames.allowList(b.host, b.allowedHosts);
        RequestParser parser = new RequestParser(b.model, b.modelName, keys);   // reads the vocabulary: first
        this.generations = new GenerationPool(b.workers, b.maxQueued);
        this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("asclepius-serve-timer-"));
        timer.setRemoveOnCancelPolicy(true);
        RequestBody body = new RequestBody(b.maxBodyBytes, b.bodyTimeout.toMillis(), timer);
        Completions completions = new Completions(b.model, parser, new CompletionJson(b.model, b.modelName),
                generations);
        Router router = new Router(new Admission(hosts, Set.copyOf(b.corsOrigins), keys, body),
                new InfoEndpoints(b.model, b.modelName), body, completions);

        // Jetty's own threads only parse, route and write (nothing blocks on them), so a small fixed pool
        // serves every connection; its task queue is left unbounded as Jetty requires (a full queue would
        // drop I/O completions), and is bounded in effect by the connection limit.
        QueuedThreadPool pool = new QueuedThreadPool(24, 4, 60_000);
        pool.setName("asclepius-http");
        pool.setDaemon(true);
        this.server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(b.maxHeaderBytes);   // larger: 431
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(b.host);
        connector.setPort(b.port);
        connector.setIdleTimeout(b.idleTimeout.toMillis());
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(b.maxConnections, connector));
        server.setErrorHandler(Router::jettyError);
        server.setHandler(router);
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new IOException("Could not start the server on " + b.host + ":" + b.port + ": " + e.getMessage(), e);
        }
        HeaderDeadline headers = new HeaderDeadline(connector, b.headerTimeout.toNanos());
        timer.scheduleWithFixedDelay(headers::sweep, HeaderDeadline.SWEEP_MILLIS, HeaderDeadline.SWEEP_MILLIS,
                TimeUnit.MILLISECONDS);
        LOG.info("Serving {} on http://{}:{}/v1", b.modelName, b.host, port());
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Stops accepting, gives running requests a second to finish, and stops the threads (not the model). */
    @Override
    public void close() {
        server.setStopTimeout(1000);
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("Stopping the HTTP server: {}", e.toString());
        }
        generations.close();
        timer.shutdownNow();
    }

    /** Daemon threads, so that a server left open never keeps the program alive. */
    static ThreadFactory daemonThreads(String prefix) {
        return r -> {
            Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
