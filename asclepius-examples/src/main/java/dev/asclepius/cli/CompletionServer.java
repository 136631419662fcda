package dev.asclepius.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.asclepius.core.AsclepiusException;
import dev.asclepius.core.ContextLengthExceededException;
import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.TokenListener;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
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
 * connections that take longer than the header or body deadline to send their request are closed, and
 * the number of connections is capped. Before any body byte is read a request must pass, in this order:
 * the Host allow-list (DNS rebinding), the API key (compared in constant time), {@code Content-Type:
 * application/json} (a web page cannot send that without a CORS preflight, which is refused unless origins
 * were allowed) and the declared body size. The body is then read against its size limit and deadline,
 * parsed as strict JSON, and a text prompt too long in bytes to fit the context is refused before it is
 * tokenized. Generations run on a fixed pool of {@code workers} threads with a bounded queue (503 when
 * full); the model serves them as it can (the local engine batches them).
 *
 * <p>The prefix cache of a local model is partitioned by API key and the request's {@code cache_salt}
 * ({@link GenerationConfig#cacheScope()}): {@code usage.prompt_tokens_details.cached_tokens} never reflects
 * another key's (or salt's) prompts.
 */
final class CompletionServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionServer.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** The longest cache_salt accepted: a salt is an opaque identifier, not data. */
    private static final int MAX_SALT_CHARS = 256;
    /** How often connections are checked against the header deadline. */
    private static final long SWEEP_MILLIS = 100;

    private final LanguageModel model;
    private final String modelName;
    private final List<byte[]> keyDigests;      // SHA-256 of each accepted API key
    private final Set<String> allowedHosts;     // normalized host names; "*" allows any
    private final Set<String> corsOrigins;      // exact origins; "*" allows any; empty: no CORS
    private final long maxBodyBytes;
    private final long bodyTimeoutMillis;
    private final long headerTimeoutNanos;
    private final int maxPromptBytes;           // a text prompt longer than this cannot fit the context
    private final Server server;
    private final ServerConnector connector;
    private final ThreadPoolExecutor generations;
    private final ScheduledThreadPoolExecutor timer;
    private final Map<EndPoint, Long> headersSince = new ConcurrentHashMap<>();
    private final long created = System.currentTimeMillis() / 1000;

    static Builder builder(LanguageModel model, String modelName) {
        return new Builder(model, modelName);
    }

    /** The server's settings; every one has a safe default. */
    static final class Builder {
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

        Builder host(String value) {
            this.host = value;
            return this;
        }

        Builder port(int value) {
            this.port = value;
            return this;
        }

        /** Generations in flight at once (the local engine decodes them as one batch). */
        Builder workers(int value) {
            this.workers = value;
            return this;
        }

        /** Generation requests waiting for a worker before new ones get 503. */
        Builder maxQueued(int value) {
            this.maxQueued = value;
            return this;
        }

        /** Requests to /v1/* must send {@code Authorization: Bearer KEY} with one of the keys added. */
        Builder apiKey(String value) {
            if (value == null || value.isBlank()) {
                throw new InvalidInputException("An API key must not be empty");
            }
            apiKeys.add(value);
            return this;
        }

        /** A Host header value (name or address, without port) to accept besides the loopback names; "*": any. */
        Builder allowedHost(String value) {
            allowedHosts.add(value);
            return this;
        }

        /** An origin (scheme://host[:port]) whose web pages may call the API (CORS); "*": any. */
        Builder corsOrigin(String value) {
            corsOrigins.add(value);
            return this;
        }

        /** Bind a non-loopback address without an API key (refused otherwise). */
        Builder allowUnauthenticatedRemote(boolean value) {
            this.allowUnauthenticatedRemote = value;
            return this;
        }

        Builder maxHeaderBytes(int value) {
            this.maxHeaderBytes = value;
            return this;
        }

        Builder maxBodyBytes(long value) {
            this.maxBodyBytes = value;
            return this;
        }

        /** How long a client may take to send a request's line and headers. */
        Builder headerTimeout(Duration value) {
            this.headerTimeout = value;
            return this;
        }

        /** How long a client may take to send a request's body. */
        Builder bodyTimeout(Duration value) {
            this.bodyTimeout = value;
            return this;
        }

        /** A connection that sends and receives nothing for this long is closed. */
        Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        Builder maxConnections(int value) {
            this.maxConnections = value;
            return this;
        }

        CompletionServer start() throws IOException {
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
    static boolean isLoopback(String host) {
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
        this.model = b.model;
        this.modelName = b.modelName;
        this.keyDigests = b.apiKeys.stream().map(CompletionServer::sha256).toList();
        Set<String> hosts = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        if (!isWildcard(b.host)) {
            hosts.add(normalizeHost(b.host));
        }
        b.allowedHosts.forEach(h -> hosts.add(h.equals("*") ? "*" : normalizeHost(h)));
        this.allowedHosts = Set.copyOf(hosts);
        this.corsOrigins = Set.copyOf(b.corsOrigins);
        this.maxBodyBytes = b.maxBodyBytes;
        this.bodyTimeoutMillis = b.bodyTimeout.toMillis();
        this.headerTimeoutNanos = b.headerTimeout.toNanos();
        this.maxPromptBytes = maxPromptBytes(model);

        this.generations = new ThreadPoolExecutor(b.workers, b.workers, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(b.maxQueued), daemon("asclepius-serve-"), new ThreadPoolExecutor.AbortPolicy());
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("asclepius-serve-timer-"));
        timer.setRemoveOnCancelPolicy(true);

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
        server.setErrorHandler(this::jettyError);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                return CompletionServer.this.handle(request, response, callback);
            }
        });
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new IOException("Could not start the server on " + b.host + ":" + b.port + ": " + e.getMessage(), e);
        }
        timer.scheduleWithFixedDelay(this::closeSlowHeaders, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        LOG.info("Serving {} on http://{}:{}/v1", modelName, b.host, port());
    }

    int port() {
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
        generations.shutdownNow();
        timer.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        return r -> {
            Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Closes connections that have been sending one request's line and headers for longer than the header
     * deadline. Jetty parses without holding a thread, so such a client only costs a connection; this bounds
     * how long it can keep one (the idle timeout alone would not: a byte every few seconds resets it).
     */
    private void closeSlowHeaders() {
        long now = System.nanoTime();
        try {
            for (EndPoint endPoint : connector.getConnectedEndPoints()) {
                HttpParser parser = endPoint.getConnection() instanceof HttpConnection c ? c.getParser() : null;
                if (parser != null && !parser.isStart() && parser.inHeaderState()) {
                    long since = headersSince.computeIfAbsent(endPoint, e -> now);
                    if (now - since > headerTimeoutNanos) {
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
            LOG.warn("Header deadline check failed", e);
        }
    }

    // ---- routing

    private boolean handle(Request request, Response response, Callback callback) {
        try {
            String method = request.getMethod();
            String path = Request.getPathInContext(request);
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            Optional<String> badHost = checkHost(request);
            if (badHost.isPresent()) {
                sendError(response, callback, 421, badHost.get(), "invalid_request_error", null, "host_not_allowed");
                return true;
            }
            boolean cors = cors(request, response);
            if (cors && method.equals("OPTIONS") && request.getHeaders().contains("Access-Control-Request-Method")) {
                response.setStatus(204);
                response.getHeaders().put("Access-Control-Allow-Methods", "GET, HEAD, POST");
                response.getHeaders().put("Access-Control-Allow-Headers", "Authorization, Content-Type");
                response.getHeaders().put("Access-Control-Max-Age", "600");
                response.write(true, null, callback);
                return true;
            }
            switch (path) {
                case "/health" -> {
                    if (allow(request, response, callback, method, "GET")) {
                        sendJson(response, callback, 200, status());
                    }
                }
                case "/v1/models" -> {
                    if (allow(request, response, callback, method, "GET") && authorized(request, response, callback)) {
                        sendJson(response, callback, 200, models());
                    }
                }
                case "/v1/completions" -> {
                    if (allow(request, response, callback, method, "POST") && authorized(request, response, callback)
                            && acceptable(request, response, callback)) {
                        readBody(request, response, callback);
                    }
                }
                default -> sendError(response, callback, 404, "Unknown URL: " + method + " " + path
                        + " (this server has GET /health, GET /v1/models and POST /v1/completions)",
                        "invalid_request_error", null, "unknown_url");
            }
        } catch (RuntimeException e) {
            internalError(response, callback, e);
        }
        return true;
    }

    private static void internalError(Response response, Callback callback, RuntimeException e) {
        LOG.error("Request failed", e);
        if (response.isCommitted()) {
            callback.failed(e);
        } else {
            sendError(response, callback, 500, "Internal error: " + e, "server_error", null, null);
        }
    }

    /** Errors Jetty answers itself (malformed requests, headers over the limit: 431) in the API's JSON form. */
    private boolean jettyError(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        Object message = request.getAttribute(ErrorHandler.ERROR_MESSAGE);
        String text = switch (status) {
            case 431 -> "The request headers are larger than this server accepts";
            case 413 -> "The request is larger than this server accepts";
            case 408 -> "The request took too long to arrive";
            default -> message != null ? message.toString() : "Bad request";
        };
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        sendError(response, callback, status, text, status >= 500 ? "server_error" : "invalid_request_error", null,
                null);
        return true;
    }

    private static boolean isWildcard(String host) {
        try {
            return InetAddress.getByName(host).isAnyLocalAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Lower case, no brackets around an IPv6 address, no trailing dot. */
    static String normalizeHost(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    /** The Host header's name without its port. */
    static String hostName(String header) {
        String h = header.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return normalizeHost(end < 0 ? h : h.substring(0, end + 1));
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0 && h.indexOf(':') == colon) {
            h = h.substring(0, colon);
        }
        return normalizeHost(h);
    }

    /**
     * A web page can make a browser send requests to this server under a name the attacker controls
     * (DNS rebinding); such a request carries the attacker's name in its Host header, so only the names
     * this server is meant to be reached by are accepted.
     */
    private Optional<String> checkHost(Request request) {
        if (allowedHosts.contains("*")) {
            return Optional.empty();
        }
        String header = request.getHeaders().get(HttpHeader.HOST);
        if (header == null || header.isBlank()) {
            return Optional.of("Missing Host header");
        }
        String name = hostName(header);
        if (allowedHosts.contains(name)) {
            return Optional.empty();
        }
        return Optional.of("Host '" + header + "' is not allowed. This server answers to " + allowedHosts
                + "; start it with --allowed-host " + name + " to accept this name.");
    }

    /** Adds the CORS response headers when the request's Origin is allowed; whether it is. */
    private boolean cors(Request request, Response response) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null || corsOrigins.isEmpty()
                || !(corsOrigins.contains("*") || corsOrigins.contains(origin))) {
            return false;
        }
        response.getHeaders().put("Access-Control-Allow-Origin", origin);
        response.getHeaders().add(HttpHeader.VARY, "Origin");
        return true;
    }

    private static boolean allow(Request request, Response response, Callback callback, String method,
                                 String allowed) {
        if (method.equals(allowed) || (method.equals("HEAD") && allowed.equals("GET"))) {
            return true;
        }
        response.getHeaders().put(HttpHeader.ALLOW, allowed);
        sendError(response, callback, 405, "Method " + method + " is not allowed for "
                + Request.getPathInContext(request) + "; use " + allowed, "invalid_request_error", null,
                "method_not_allowed");
        return false;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * The presented key's digest when it matches an accepted key, compared in constant time
     * ({@link MessageDigest#isEqual} over fixed-length digests, every key compared): the time taken says
     * nothing about how many leading characters were right, nor about the key's length.
     */
    private Optional<byte[]> matchingKey(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] presented = sha256(authorization.substring(7).trim());
        byte[] match = null;
        for (byte[] key : keyDigests) {
            if (MessageDigest.isEqual(key, presented)) {
                match = key;
            }
        }
        return Optional.ofNullable(match);
    }

    private boolean authorized(Request request, Response response, Callback callback) {
        if (keyDigests.isEmpty()) {
            return true;
        }
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (matchingKey(auth).isPresent()) {
            return true;
        }
        closeIfBody(request, response);
        sendError(response, callback, 401, auth == null ? "Missing API key: send 'Authorization: Bearer KEY'"
                : "Incorrect API key", "authentication_error", null, "invalid_api_key");
        return false;
    }

    /** A response sent without reading the body ends the connection, so the unread body is never read. */
    private static void closeIfBody(Request request, Response response) {
        if (request.getLength() != 0) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }

    /** Content-Type application/json and a declared length within the limit, checked before any body byte. */
    private boolean acceptable(Request request, Response response, Callback callback) {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mime.equals("application/json")) {
            closeIfBody(request, response);
            sendError(response, callback, 415, "The request body must be JSON sent with 'Content-Type: "
                    + "application/json' (got " + (type == null ? "no Content-Type" : "'" + type + "'") + ")",
                    "invalid_request_error", null, "unsupported_media_type");
            return false;
        }
        String charset = type.toLowerCase(Locale.ROOT).contains("charset=")
                ? type.toLowerCase(Locale.ROOT).replaceAll(".*charset=\"?([^\";]*).*", "$1").trim() : "utf-8";
        if (!charset.equals("utf-8") && !charset.equals("utf8")) {
            closeIfBody(request, response);
            sendError(response, callback, 415, "The request body must be UTF-8 (got charset " + charset + ")",
                    "invalid_request_error", null, "unsupported_media_type");
            return false;
        }
        if (request.getLength() > maxBodyBytes) {
            closeIfBody(request, response);
            sendError(response, callback, 413, tooLarge(request.getLength()), "invalid_request_error", null,
                    "request_too_large");
            return false;
        }
        return true;
    }

    private String tooLarge(long bytes) {
        return "The request body is " + (bytes < 0 ? "more than " + maxBodyBytes : bytes) + " bytes; this server "
                + "accepts at most " + maxBodyBytes + " (--max-request-bytes)";
    }

    /**
     * Reads the body without holding a thread, within the size limit and the body deadline, then hands the
     * request to a generation worker.
     */
    private void readBody(Request request, Response response, Callback callback) {
        // The idle timeout guards reading the request; once it is read, a generation may run for minutes
        // without writing (a long prompt on a CPU, a non-streaming answer), which must not time it out.
        AtomicBoolean read = new AtomicBoolean();
        request.addIdleTimeoutListener(timeout -> !read.get());
        CompletableFuture<byte[]> body = new CompletableFuture<>();
        new BodyReader(request, body).run();
        ScheduledFuture<?> deadline = timer.schedule(() -> body.completeExceptionally(new TimeoutException()),
                bodyTimeoutMillis, TimeUnit.MILLISECONDS);
        body.whenComplete((bytes, failure) -> {
            deadline.cancel(false);
            read.set(failure == null);
            try {
                if (failure != null) {
                    bodyFailed(request, response, callback, failure);
                    return;
                }
                ParsedRequest r;
                try {
                    r = parse(utf8(bytes), request);
                } catch (BadRequest e) {
                    sendError(response, callback, e.status, e.getMessage(),
                            e.status == 404 ? "NotFoundError" : "invalid_request_error", e.param, e.code);
                    return;
                }
                try {
                    generations.execute(() -> complete(response, callback, r));
                } catch (RejectedExecutionException busy) {
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                    sendError(response, callback, 503, "The server is busy (" + generations.getQueue().size()
                            + " requests waiting); retry shortly", "server_error", null, "server_busy");
                }
            } catch (RuntimeException e) {
                internalError(response, callback, e);
            }
        });
    }

    /** The body grew past the limit while it was read (a chunked body declares no length). */
    private static final class BodyTooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        BodyTooLarge() {
            super("request body over the limit", null, false, false);
        }
    }

    /**
     * Reads a request body chunk by chunk without holding a thread while the client is slow (it asks Jetty to
     * call it again when bytes arrive), and stops at the size limit. Once {@code done} is complete (also by
     * the body deadline, whose 408 may finish the exchange first) it never touches the request again.
     */
    private final class BodyReader implements Runnable {
        private final Request request;
        private final CompletableFuture<byte[]> done;
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        BodyReader(Request request, CompletableFuture<byte[]> done) {
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
                    if (bytes.size() + (long) buffer.remaining() > maxBodyBytes) {
                        done.completeExceptionally(new BodyTooLarge());
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

    private void bodyFailed(Request request, Response response, Callback callback, Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        if (cause instanceof TimeoutException) {
            LOG.debug("Request body not received within the deadline");
            sendError(response, callback, 408, "The request body did not arrive within " + bodyTimeoutMillis
                    + " ms (it is shorter than its Content-Length, or sent too slowly)", "invalid_request_error", null,
                    "request_timeout");
        } else if (cause instanceof IOException || cause instanceof EofException) {
            callback.failed(cause);   // the client has gone or the connection failed: nobody to answer
        } else if (cause instanceof BodyTooLarge || (cause instanceof HttpException h && h.getCode() == 413)) {
            sendError(response, callback, 413, tooLarge(-1), "invalid_request_error", null, "request_too_large");
        } else if (cause instanceof HttpException h) {
            sendError(response, callback, h.getCode(), "Malformed request body: " + h.getReason(),
                    "invalid_request_error", null, null);
        } else {
            sendError(response, callback, 400, "Could not read the request body: " + cause, "invalid_request_error",
                    null, null);
        }
    }

    /** Strict UTF-8: a malformed byte is a 400, not a replacement character in the prompt. */
    private static String utf8(byte[] bytes) throws BadRequest {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadRequest("The request body is not valid UTF-8", null);
        }
    }

    private JsonObject status() {
        JsonObject o = new JsonObject();
        o.addProperty("status", "ok");
        o.addProperty("model", modelName);
        return o;
    }

    private JsonObject models() {
        JsonObject m = new JsonObject();
        m.addProperty("id", modelName);
        m.addProperty("object", "model");
        m.addProperty("created", created);
        m.addProperty("owned_by", "asclepius");
        m.addProperty("max_model_len", model.info().contextLength());
        JsonArray data = new JsonArray();
        data.add(m);
        JsonObject o = new JsonObject();
        o.addProperty("object", "list");
        o.add("data", data);
        return o;
    }

    /**
     * The most UTF-8 bytes a text prompt that fits the context can have: each token stands for at most
     * the longest token's bytes (+1 for the space SentencePiece folds into a token), doubled for margin.
     * A prompt longer than this is refused without being tokenized (tokenizing 50 MB took minutes).
     */
    private static int maxPromptBytes(LanguageModel model) {
        int longest = 16;
        try {
            // no local tokenizer (a remote model): the fixed bound below
            dev.asclepius.core.TextTokenizer tokenizer = model.tokenizer()
                    .orElseThrow(() -> new IllegalStateException("no tokenizer"));
            int vocab = tokenizer.vocabSize();
            for (int id = 0; id < vocab; id++) {
                longest = Math.max(longest, tokenizer.decode(new int[] {id}).getBytes(StandardCharsets.UTF_8).length + 1);
            }
        } catch (RuntimeException e) {
            longest = 64;   // a tokenizer that cannot decode single ids: a generous fixed bound
        }
        return (int) Math.min(Integer.MAX_VALUE, 2L * longest * model.info().contextLength());
    }

    // ---- completions

    /** A request error: becomes a 400 (or {@code status}) with the OpenAI error body. */
    private static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String param;
        final String code;

        BadRequest(int status, String message, String param, String code) {
            super(message);
            this.status = status;
            this.param = param;
            this.code = code;
        }

        BadRequest(String message, String param) {
            this(400, message, param, null);
        }
    }

    /** The client of a streaming response has gone: thrown from the listener to stop the generation. */
    private static final class ClientGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientGone() {
            super("client disconnected", null, false, false);
        }
    }

    private record ParsedRequest(JsonElement prompt, GenerationConfig config, boolean stream, boolean includeUsage,
                                 boolean returnTokenIds) {
    }

    /** Runs on a generation worker: generates and answers. */
    private void complete(Response response, Callback callback, ParsedRequest request) {
        try {
            String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
            if (request.stream()) {
                stream(response, callback, id, request);
                return;
            }
            GenerationResult result;
            try {
                result = generate(request, TokenListener.NONE);
            } catch (AsclepiusException e) {
                sendGenerationError(response, callback, e);
                return;
            }
            JsonObject choice = choice(result.text(), result, request);
            JsonArray choices = new JsonArray();
            choices.add(choice);
            JsonObject o = envelope(id);
            o.add("choices", choices);
            o.add("usage", usage(result));
            sendJson(response, callback, 200, o);
        } catch (RuntimeException e) {
            internalError(response, callback, e);
        }
    }

    private GenerationResult generate(ParsedRequest request, TokenListener listener) {
        JsonElement p = request.prompt();
        if (p.isJsonPrimitive()) {
            return model.generate(p.getAsString(), request.config(), listener);
        }
        JsonArray a = p.getAsJsonArray();
        int[] ids = new int[a.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = a.get(i).getAsInt();
        }
        return model.generate(ids, request.config(), listener);
    }

    private static void sendGenerationError(Response response, Callback callback, AsclepiusException e) {
        if (e instanceof ContextLengthExceededException c) {
            sendError(response, callback, 400, "This model's maximum context length is " + c.contextLength()
                    + " tokens. However, your request has " + c.promptTokens() + " input tokens. Please reduce the "
                    + "length of the input.", "invalid_request_error", "prompt", "context_length_exceeded");
        } else if (e instanceof InvalidInputException) {
            sendError(response, callback, 400, e.getMessage(), "invalid_request_error", null, null);
        } else if (e instanceof ModelClosedException) {
            sendError(response, callback, 503, "The model is shutting down: " + e.getMessage(), "server_error", null,
                    null);
        } else {
            LOG.error("Generation failed", e);
            sendError(response, callback, 500, e.getMessage(), "server_error", null, null);
        }
    }

    /**
     * Server-sent events, written asynchronously in order: the model's thread only queues an event, so a
     * slow reader never slows the generation; a failed write (the client has gone) stops it at the next token.
     */
    private static final class EventStream {
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

        void send(String data) {
            synchronized (this) {
                start();
                pending.add("data: " + data + "\n\n");
            }
            pump();
        }

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

    private void stream(Response response, Callback callback, String id, ParsedRequest request) {
        EventStream events = new EventStream(response, callback);
        response.getRequest().addFailureListener(events::clientGone);
        TokenListener listener = (delta, tokenId) -> {
            if (events.gone()) {
                throw new ClientGone();
            }
            events.start();   // the first token proves the prompt fits
            if (!delta.isEmpty()) {
                events.send(Json.GSON.toJson(chunk(id, delta, JsonNull.INSTANCE, JsonNull.INSTANCE, null)));
            }
        };
        GenerationResult result;
        try {
            result = generate(request, listener);
        } catch (ClientGone e) {
            LOG.info("{}: client disconnected, generation stopped", id);
            callback.failed(new EofException("client disconnected"));
            return;
        } catch (AsclepiusException e) {
            if (!events.started()) {
                sendGenerationError(response, callback, e);
                return;
            }
            JsonObject err = new JsonObject();
            err.add("error", errorObject(e.getMessage(), "server_error", null, null));
            events.send(Json.GSON.toJson(err));
            events.end();
            return;
        }
        JsonObject last = chunk(id, "", new JsonPrimitive(finishReason(result.finishReason())),
                stopReason(result, request), request.returnTokenIds() ? ids(result.tokenIds()) : null);
        events.send(Json.GSON.toJson(last));
        if (request.includeUsage()) {
            JsonObject u = envelope(id);
            u.add("choices", new JsonArray());
            u.add("usage", usage(result));
            events.send(Json.GSON.toJson(u));
        }
        events.send("[DONE]");
        events.end();
    }

    private JsonObject chunk(String id, String text, JsonElement finish, JsonElement stopReason, JsonArray tokenIds) {
        JsonObject c = new JsonObject();
        c.addProperty("index", 0);
        c.addProperty("text", text);
        c.add("logprobs", JsonNull.INSTANCE);
        c.add("finish_reason", finish);
        c.add("stop_reason", stopReason);
        if (tokenIds != null) {
            c.add("token_ids", tokenIds);
        }
        JsonArray choices = new JsonArray();
        choices.add(c);
        JsonObject o = envelope(id);
        o.add("choices", choices);
        return o;
    }

    private JsonObject envelope(String id) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("object", "text_completion");
        o.addProperty("created", System.currentTimeMillis() / 1000);
        o.addProperty("model", modelName);
        return o;
    }

    private JsonObject choice(String text, GenerationResult result, ParsedRequest request) {
        JsonObject c = new JsonObject();
        c.addProperty("index", 0);
        c.addProperty("text", text);
        c.add("logprobs", JsonNull.INSTANCE);
        c.addProperty("finish_reason", finishReason(result.finishReason()));
        c.add("stop_reason", stopReason(result, request));
        if (request.returnTokenIds()) {
            c.add("token_ids", ids(result.tokenIds()));
        }
        return c;
    }

    private static JsonArray ids(List<Integer> ids) {
        JsonArray a = new JsonArray(ids.size());
        ids.forEach(a::add);
        return a;
    }

    private static String finishReason(FinishReason reason) {
        return switch (reason) {
            case EOS, STOP_TOKEN, STOP_STRING -> "stop";
            case MAX_TOKENS, CONTEXT_FULL -> "length";
        };
    }

    /** As vLLM: null for EOS or length, the token id for a stop token, the matched string for a stop string. */
    private JsonElement stopReason(GenerationResult result, ParsedRequest request) {
        List<Integer> ids = result.tokenIds();
        switch (result.finishReason()) {
            case STOP_TOKEN:
                return new JsonPrimitive(ids.get(ids.size() - 1));
            case STOP_STRING: {
                List<String> stops = request.config().stopStrings();
                String full;
                try {
                    full = model.tokenizer().orElseThrow(() -> new AsclepiusException("no local tokenizer"))
                            .decode(ids.stream().mapToInt(Integer::intValue).toArray());
                } catch (AsclepiusException e) {
                    return new JsonPrimitive(stops.get(0));
                }
                int from = Math.max(0, Math.min(result.text().length(), full.length()));
                String best = stops.get(0);
                int bestAt = Integer.MAX_VALUE;
                for (String s : stops) {
                    int at = full.indexOf(s, Math.max(0, from - s.length() + 1));
                    if (at >= 0 && at < bestAt) {
                        bestAt = at;
                        best = s;
                    }
                }
                return new JsonPrimitive(best);
            }
            default:
                return JsonNull.INSTANCE;
        }
    }

    private static JsonObject usage(GenerationResult result) {
        JsonObject u = new JsonObject();
        u.addProperty("prompt_tokens", result.promptTokens());
        u.addProperty("completion_tokens", result.generatedTokens());
        u.addProperty("total_tokens", result.promptTokens() + result.generatedTokens());
        JsonObject details = new JsonObject();   // OpenAI's shape: prompt tokens served from the prefix cache
        details.addProperty("cached_tokens", result.cachedPromptTokens());
        u.add("prompt_tokens_details", details);
        return u;
    }

    // ---- request parsing

    /**
     * Strict JSON (RFC 8259: no single quotes, comments, unquoted keys, NaN or trailing text) into a request.
     * {@code http} gives the API key, which with {@code cache_salt} picks the prefix-cache scope.
     */
    private ParsedRequest parse(String body, Request http) throws BadRequest {
        JsonObject o;
        try {
            JsonReader reader = new JsonReader(new StringReader(body));
            reader.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("unexpected text after the JSON value");
            }
            if (!e.isJsonObject()) {
                throw new BadRequest("The request body must be a JSON object", null);
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException | IOException | IllegalStateException e) {
            throw new BadRequest("The request body is not valid JSON: " + e.getMessage(), null);
        }
        JsonElement model = o.get("model");
        if (model != null && !model.isJsonNull()) {
            if (!isString(model)) {
                throw new BadRequest("'model' must be a string", "model");
            }
            if (!model.getAsString().equals(modelName)) {
                throw new BadRequest(404, "The model `" + model.getAsString() + "` does not exist. This server serves `"
                        + modelName + "`.", "model", "model_not_found");
            }
        }
        JsonElement prompt = prompt(o.get("prompt"));
        if (prompt.isJsonPrimitive()) {
            int bytes = prompt.getAsString().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxPromptBytes) {
                throw new BadRequest(400, "This model's maximum context length is " + this.model.info().contextLength()
                        + " tokens. However, your prompt is " + bytes + " bytes, more than any prompt of that many "
                        + "tokens (" + maxPromptBytes + " bytes at most). Please reduce the length of the input.",
                        "prompt", "context_length_exceeded");
            }
        }
        if (intOr(o, "n", 1) != 1 || intOr(o, "best_of", 1) != 1) {
            throw new BadRequest("Only n = 1 and best_of = 1 are supported", "n");
        }
        if (boolOr(o, "echo", false)) {
            throw new BadRequest("'echo' is not supported", "echo");
        }
        if (o.has("logprobs") && !o.get("logprobs").isJsonNull()) {
            throw new BadRequest("'logprobs' is not supported", "logprobs");
        }
        GenerationConfig.Builder b = GenerationConfig.builder()
                .maxNewTokens(intOr(o, "max_tokens", 16))
                .temperature(floatOr(o, "temperature", 1f))
                .topP(floatOr(o, "top_p", 1f))
                .repetitionPenalty(floatOr(o, "repetition_penalty", 1f))
                .ignoreEos(boolOr(o, "ignore_eos", false));
        int topK = intOr(o, "top_k", 0);
        b.topK(topK < 0 ? 0 : topK); // vLLM: -1 (or 0) disables
        if (o.has("seed") && !o.get("seed").isJsonNull()) {
            b.seed(longValue(o.get("seed"), "seed"));
        }
        b.stopStrings(stops(o.get("stop")));
        b.stopTokenIds(tokenIds(o.get("stop_token_ids")));
        b.cacheScope(cacheScope(http, o.get("cache_salt")));
        GenerationConfig config;
        try {
            config = b.build();
        } catch (InvalidInputException e) {
            throw new BadRequest(e.getMessage(), null);
        }
        boolean stream = boolOr(o, "stream", false);
        boolean includeUsage = false;
        JsonElement so = o.get("stream_options");
        if (so != null && !so.isJsonNull()) {
            if (!so.isJsonObject()) {
                throw new BadRequest("'stream_options' must be an object", "stream_options");
            }
            includeUsage = boolOr(so.getAsJsonObject(), "include_usage", false);
        }
        return new ParsedRequest(prompt, config, stream, includeUsage, boolOr(o, "return_token_ids", false));
    }

    /**
     * The prefix-cache scope of a request: its API key (by digest) and its {@code cache_salt}, so that cached
     * keys and values, and the cached_tokens count that reveals them, are shared only between requests
     * with the same key and salt. Without keys and salt: the one shared scope.
     */
    private String cacheScope(Request http, JsonElement salt) throws BadRequest {
        String s = "";
        if (salt != null && !salt.isJsonNull()) {
            if (!isString(salt) || salt.getAsString().isEmpty() || salt.getAsString().length() > MAX_SALT_CHARS) {
                throw new BadRequest("'cache_salt' must be a non-empty string of at most " + MAX_SALT_CHARS
                        + " characters", "cache_salt");
            }
            s = salt.getAsString();
        }
        String key = matchingKey(http.getHeaders().get(HttpHeader.AUTHORIZATION))
                .map(d -> HexFormat.of().formatHex(d)).orElse("");
        if (key.isEmpty() && s.isEmpty()) {
            return "";
        }
        // Lengths first: no key+salt pair can spell another pair's scope.
        return "key:" + key.length() + ":" + key + ";salt:" + s.length() + ":" + s;
    }

    /** A string or a token-id array (also a one-element list of either). */
    private static JsonElement prompt(JsonElement p) throws BadRequest {
        if (p == null || p.isJsonNull()) {
            throw new BadRequest("'prompt' is required: a string or an array of token ids", "prompt");
        }
        if (isString(p)) {
            return p;
        }
        if (p.isJsonArray()) {
            JsonArray a = p.getAsJsonArray();
            if (a.size() == 1 && (isString(a.get(0)) || a.get(0).isJsonArray())) {
                return prompt(a.get(0));
            }
            if (a.isEmpty()) {
                throw new BadRequest("'prompt' is empty", "prompt");
            }
            for (JsonElement e : a) {
                if (!isInt(e)) {
                    throw new BadRequest(isString(e) || e.isJsonArray()
                            ? "Only one prompt per request is supported" : "'prompt' must be a string or an array of "
                            + "integer token ids", "prompt");
                }
            }
            return a;
        }
        throw new BadRequest("'prompt' must be a string or an array of integer token ids", "prompt");
    }

    private static List<String> stops(JsonElement e) throws BadRequest {
        if (e == null || e.isJsonNull()) {
            return List.of();
        }
        if (isString(e)) {
            return e.getAsString().isEmpty() ? List.of() : List.of(e.getAsString());
        }
        if (e.isJsonArray()) {
            List<String> out = new ArrayList<>();
            for (JsonElement s : e.getAsJsonArray()) {
                if (!isString(s)) {
                    throw new BadRequest("'stop' must be a string or an array of strings", "stop");
                }
                if (!s.getAsString().isEmpty()) {
                    out.add(s.getAsString());
                }
            }
            return out;
        }
        throw new BadRequest("'stop' must be a string or an array of strings", "stop");
    }

    private static Set<Integer> tokenIds(JsonElement e) throws BadRequest {
        if (e == null || e.isJsonNull()) {
            return Set.of();
        }
        if (!e.isJsonArray()) {
            throw new BadRequest("'stop_token_ids' must be an array of integers", "stop_token_ids");
        }
        Set<Integer> out = new HashSet<>();
        for (JsonElement id : e.getAsJsonArray()) {
            if (!isInt(id)) {
                throw new BadRequest("'stop_token_ids' must be an array of integers", "stop_token_ids");
            }
            out.add(id.getAsInt());
        }
        return out;
    }

    private static boolean isString(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    private static boolean isInt(JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            return false;
        }
        double d = e.getAsDouble();
        return d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE;
    }

    private static int intOr(JsonObject o, String key, int fallback) throws BadRequest {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!isInt(e)) {
            throw new BadRequest("'" + key + "' must be an integer, got " + e, key);
        }
        return e.getAsInt();
    }

    private static long longValue(JsonElement e, String key) throws BadRequest {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != Math.rint(e.getAsDouble())) {
            throw new BadRequest("'" + key + "' must be an integer, got " + e, key);
        }
        return e.getAsLong();
    }

    private static float floatOr(JsonObject o, String key, float fallback) throws BadRequest {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new BadRequest("'" + key + "' must be a number, got " + e, key);
        }
        return e.getAsFloat();
    }

    private static boolean boolOr(JsonObject o, String key, boolean fallback) throws BadRequest {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new BadRequest("'" + key + "' must be true or false, got " + e, key);
        }
        return e.getAsBoolean();
    }

    // ---- I/O

    private static JsonObject errorObject(String message, String type, String param, String code) {
        JsonObject e = new JsonObject();
        e.addProperty("message", message);
        e.addProperty("type", type);
        e.add("param", param == null ? JsonNull.INSTANCE : new JsonPrimitive(param));
        e.add("code", code == null ? JsonNull.INSTANCE : new JsonPrimitive(code));
        return e;
    }

    private static void sendError(Response response, Callback callback, int status, String message, String type,
                                  String param, String code) {
        JsonObject o = new JsonObject();
        o.add("error", errorObject(message, type, param, code));
        sendJson(response, callback, status, o);
    }

    /** Writes a whole JSON response (without blocking: completes {@code callback} when written). */
    private static void sendJson(Response response, Callback callback, int status, JsonObject body) {
        byte[] bytes = Json.GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
