package dev.asclepius.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible HTTP server over a {@link LanguageModel}: {@code POST /v1/completions} (raw prompt as
 * a string or token-id array; {@code stream: true} as server-sent events ending in {@code data: [DONE]}),
 * {@code GET /v1/models} and {@code GET /health}. vLLM's extensions {@code top_k},
 * {@code repetition_penalty}, {@code stop_token_ids}, {@code ignore_eos} and {@code return_token_ids} are
 * understood. Errors are OpenAI-style JSON: {@code {"error": {"message", "type", "param", "code"}}}.
 *
 * <p>Requests run on a pool of worker threads; the model serves generations as it can (the local engine one
 * at a time). A streaming response is written by its own writer thread from a queue, so a slow client never
 * holds up the model; when the client has gone, its generation is abandoned at the next token.
 */
final class CompletionServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionServer.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final LanguageModel model;
    private final String modelName;
    private final String apiKey;
    private final HttpServer server;
    private final ExecutorService workers;
    private final ExecutorService writers;
    private final long created = System.currentTimeMillis() / 1000;

    /**
     * @param apiKey when not null, requests to {@code /v1/*} must send {@code Authorization: Bearer apiKey}
     */
    CompletionServer(LanguageModel model, String modelName, String host, int port, int workerThreads, String apiKey)
            throws IOException {
        this.model = model;
        this.modelName = modelName;
        this.apiKey = apiKey;
        this.workers = Executors.newFixedThreadPool(workerThreads, daemon("asclepius-serve-"));
        this.writers = Executors.newCachedThreadPool(daemon("asclepius-sse-"));
        this.server = HttpServer.create(new InetSocketAddress(host, port), 128);
        server.createContext("/", this::handle);
        server.setExecutor(workers);
        server.start();
        LOG.info("Serving {} on http://{}:{}/v1", modelName, host, port());
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Stops accepting, gives running requests a second to finish, and stops the threads (not the model). */
    @Override
    public void close() {
        server.stop(1);
        workers.shutdownNow();
        writers.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        return r -> {
            Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---- routing

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            String method = ex.getRequestMethod();
            switch (path) {
                case "/health" -> {
                    if (allow(ex, method, "GET")) {
                        sendJson(ex, 200, status());
                    }
                }
                case "/v1/models" -> {
                    if (allow(ex, method, "GET") && authorized(ex)) {
                        sendJson(ex, 200, models());
                    }
                }
                case "/v1/completions" -> {
                    if (allow(ex, method, "POST") && authorized(ex)) {
                        completions(ex);
                    }
                }
                default -> sendError(ex, 404, "Unknown URL: " + method + " " + path
                        + " (this server has GET /health, GET /v1/models and POST /v1/completions)",
                        "invalid_request_error", null, "unknown_url");
            }
        } catch (IOException e) {
            LOG.debug("Client went away: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.error("Request failed", e);
            try {
                sendError(ex, 500, "Internal error: " + e, "server_error", null, null);
            } catch (IOException | RuntimeException ignored) {
                // headers may already be out
            }
        }
    }

    private static boolean allow(HttpExchange ex, String method, String allowed) throws IOException {
        if (method.equals(allowed) || (method.equals("HEAD") && allowed.equals("GET"))) {
            return true;
        }
        ex.getResponseHeaders().set("Allow", allowed);
        sendError(ex, 405, "Method " + method + " is not allowed for " + ex.getRequestURI().getPath()
                + "; use " + allowed, "invalid_request_error", null, "method_not_allowed");
        return false;
    }

    private boolean authorized(HttpExchange ex) throws IOException {
        if (apiKey == null) {
            return true;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.equals("Bearer " + apiKey)) {
            return true;
        }
        sendError(ex, 401, auth == null ? "Missing API key: send 'Authorization: Bearer KEY'" : "Incorrect API key",
                "authentication_error", null, "invalid_api_key");
        return false;
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

    private record Request(JsonElement prompt, GenerationConfig config, boolean stream, boolean includeUsage,
                           boolean returnTokenIds) {
    }

    private void completions(HttpExchange ex) throws IOException {
        Request request;
        try {
            request = parse(readBody(ex));
        } catch (BadRequest e) {
            sendError(ex, e.status, e.getMessage(), e.status == 404 ? "NotFoundError" : "invalid_request_error",
                    e.param, e.code);
            return;
        }
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        if (request.stream()) {
            stream(ex, id, request);
            return;
        }
        GenerationResult result;
        try {
            result = generate(request, TokenListener.NONE);
        } catch (AsclepiusException e) {
            sendGenerationError(ex, e);
            return;
        }
        JsonObject choice = choice(result.text(), result, request);
        JsonArray choices = new JsonArray();
        choices.add(choice);
        JsonObject o = envelope(id);
        o.add("choices", choices);
        o.add("usage", usage(result));
        sendJson(ex, 200, o);
    }

    private GenerationResult generate(Request request, TokenListener listener) {
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

    private void sendGenerationError(HttpExchange ex, AsclepiusException e) throws IOException {
        if (e instanceof ContextLengthExceededException c) {
            sendError(ex, 400, "This model's maximum context length is " + c.contextLength() + " tokens. However, "
                    + "your request has " + c.promptTokens() + " input tokens. Please reduce the length of the "
                    + "input.", "invalid_request_error", "prompt", "context_length_exceeded");
        } else if (e instanceof InvalidInputException) {
            sendError(ex, 400, e.getMessage(), "invalid_request_error", null, null);
        } else if (e instanceof ModelClosedException) {
            sendError(ex, 503, "The model is shutting down: " + e.getMessage(), "server_error", null, null);
        } else {
            LOG.error("Generation failed", e);
            sendError(ex, 500, e.getMessage(), "server_error", null, null);
        }
    }

    private void stream(HttpExchange ex, String id, Request request) throws IOException {
        // Validate the prompt's fit before committing to a 200: a ContextLengthExceeded must be a JSON 400.
        LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
        String end = "\u0000end";
        boolean[] started = {false};
        Object headerLock = new Object();
        java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CompletableFuture<Void> writer = new java.util.concurrent.CompletableFuture<>();

        Runnable startWriter = () -> {
            synchronized (headerLock) {
                if (started[0]) {
                    return;
                }
                started[0] = true;
            }
            try {
                ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
                ex.getResponseHeaders().set("Cache-Control", "no-cache");
                ex.sendResponseHeaders(200, 0);
            } catch (IOException e) {
                gone.set(true);
                writer.complete(null);
                return;
            }
            writers.execute(() -> {
                OutputStream out = ex.getResponseBody();
                try {
                    while (true) {
                        String event = queue.take();
                        if (event == end) {
                            break;
                        }
                        out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                } catch (IOException e) {
                    gone.set(true);
                } catch (InterruptedException e) {
                    gone.set(true);
                    Thread.currentThread().interrupt();
                } finally {
                    writer.complete(null);
                }
            });
        };

        TokenListener listener = (delta, tokenId) -> {
            if (gone.get()) {
                throw new ClientGone();
            }
            startWriter.run(); // the first token proves the prompt fits
            if (!delta.isEmpty()) {
                queue.add(Json.GSON.toJson(chunk(id, delta, JsonNull.INSTANCE, JsonNull.INSTANCE, null)));
            }
        };
        GenerationResult result;
        try {
            result = generate(request, listener);
        } catch (ClientGone e) {
            LOG.info("{}: client disconnected, generation stopped", id);
            queue.add(end);
            return;
        } catch (AsclepiusException e) {
            if (!started[0]) {
                sendGenerationError(ex, e);
                return;
            }
            JsonObject err = new JsonObject();
            err.add("error", errorObject(e.getMessage(), "server_error", null, null));
            queue.add(Json.GSON.toJson(err));
            queue.add(end);
            awaitWriter(writer);
            return;
        }
        startWriter.run();
        JsonObject last = chunk(id, "", new JsonPrimitive(finishReason(result.finishReason())),
                stopReason(result, request), request.returnTokenIds() ? ids(result.tokenIds()) : null);
        queue.add(Json.GSON.toJson(last));
        if (request.includeUsage()) {
            JsonObject u = envelope(id);
            u.add("choices", new JsonArray());
            u.add("usage", usage(result));
            queue.add(Json.GSON.toJson(u));
        }
        queue.add("[DONE]");
        queue.add(end);
        awaitWriter(writer);
    }

    private static void awaitWriter(java.util.concurrent.CompletableFuture<Void> writer) {
        try {
            writer.get(10, TimeUnit.MINUTES);
        } catch (Exception e) {
            LOG.debug("SSE writer did not finish: {}", e.toString());
        }
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

    private JsonObject choice(String text, GenerationResult result, Request request) {
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
    private JsonElement stopReason(GenerationResult result, Request request) {
        List<Integer> ids = result.tokenIds();
        switch (result.finishReason()) {
            case STOP_TOKEN:
                return new JsonPrimitive(ids.get(ids.size() - 1));
            case STOP_STRING: {
                List<String> stops = request.config().stopStrings();
                String full;
                try {
                    full = model.tokenizer().decode(ids.stream().mapToInt(Integer::intValue).toArray());
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

    private Request parse(String body) throws BadRequest {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(body);
            if (!e.isJsonObject()) {
                throw new BadRequest("The request body must be a JSON object", null);
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
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
        return new Request(prompt, config, stream, includeUsage, boolOr(o, "return_token_ids", false));
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

    private static String readBody(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static JsonObject errorObject(String message, String type, String param, String code) {
        JsonObject e = new JsonObject();
        e.addProperty("message", message);
        e.addProperty("type", type);
        e.add("param", param == null ? JsonNull.INSTANCE : new JsonPrimitive(param));
        e.add("code", code == null ? JsonNull.INSTANCE : new JsonPrimitive(code));
        return e;
    }

    private static void sendError(HttpExchange ex, int status, String message, String type, String param, String code)
            throws IOException {
        JsonObject o = new JsonObject();
        o.add("error", errorObject(message, type, param, code));
        sendJson(ex, status, o);
    }

    private static void sendJson(HttpExchange ex, int status, JsonObject body) throws IOException {
        byte[] bytes = Json.GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
