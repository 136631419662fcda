package dev.asclepius.core.remote;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.asclepius.core.AsclepiusException;
import dev.asclepius.core.ComputeType;
import dev.asclepius.core.ContextLengthExceededException;
import dev.asclepius.core.Device;
import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.ModelInfo;
import dev.asclepius.core.RemoteException;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.internal.tokenizer.HfTextTokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model served over HTTP by an OpenAI-compatible server: vLLM (tensor parallel, many replicas), TGI,
 * llama.cpp's server, or {@code asclepius serve}. It uses the raw-prompt {@code POST /v1/completions}
 * endpoint (never chat: the Asclepius prompt template is applied by the caller, as for a local model).
 *
 * <pre>{@code
 * try (RemoteModel model = RemoteModel.builder(URI.create("http://gpu-box:8000"), "starmpcc/Asclepius-7B")
 *         .maxConcurrency(32).build()) {
 *     String prompt = PromptTemplate.INFERENCE.format(note, "What medications were prescribed?");
 *     System.out.println(model.generate(prompt, GenerationConfig.greedy()).text());
 * }
 * }</pre>
 *
 * <p><b>Request.</b> {@link #generate(String, GenerationConfig, TokenListener)} sends the text as
 * {@code prompt} (the server tokenizes it and adds BOS); {@link #generate(int[], GenerationConfig, TokenListener)}
 * sends the ids as a token-id array (used as given, as vLLM does). Sampling settings map to {@code max_tokens},
 * {@code temperature}, {@code top_p}, {@code seed}, {@code stop}; the vLLM extensions {@code top_k},
 * {@code repetition_penalty}, {@code stop_token_ids} and {@code ignore_eos} are sent only when they differ
 * from "off", so plain OpenAI-compatible servers see only fields they know.
 *
 * <p><b>Streaming.</b> With a listener other than {@link TokenListener#NONE} the request streams
 * (server-sent events) and each text delta goes to the listener, in order, on the calling thread. The
 * token id passed with a delta is the last id the chunk carried, or -1 when the server sends no ids.
 *
 * <p><b>Result.</b> {@link GenerationResult#tokenIds()} holds the server's ids when it returns them (vLLM
 * does with {@link Builder#requestTokenIds(boolean)}, as does {@code asclepius serve}); otherwise the text
 * re-encoded with the local tokenizer when one is configured (approximate: a re-encoding need not equal the
 * sampled ids); otherwise it is empty. {@code promptTokens} comes from the server's {@code usage};
 * {@link GenerationResult#generatedTokens()} is {@code completion_tokens} (else the number of ids) and
 * {@code decodeSteps} is {@code completion_tokens - 1}. When streaming, prefill time is the time to the first
 * chunk and decode time the rest; without streaming the whole request counts as prefill and decode time is 0
 * ({@link Builder#stream(boolean)} streams every request, to measure both).
 * Finish reasons: {@code length} is {@link FinishReason#MAX_TOKENS} (or {@link FinishReason#CONTEXT_FULL}
 * when this client shortened {@code max_tokens} to fit the context); {@code stop} is
 * {@link FinishReason#EOS}, or {@link FinishReason#STOP_STRING} / {@link FinishReason#STOP_TOKEN} when the
 * server names the matched stop in {@code stop_reason} (vLLM does).
 *
 * <p><b>Errors and retries.</b> 429, 5xx and connection failures are retried up to
 * {@link Builder#maxRetries(int)} times with exponential backoff and jitter, honouring {@code Retry-After} (up to 2 minutes);
 * then a {@link RemoteException} names the URL and last status. A request timeout is not retried (the
 * server may still be generating). 401/403 raise a {@link RemoteException} about the API key; a 400 that
 * says "maximum context length" raises {@link ContextLengthExceededException}; other 4xx raise
 * {@link InvalidInputException} with the server's message. A stream that breaks after text was delivered
 * is not retried.
 *
 * <p>Thread-safe: at most {@link Builder#maxConcurrency(int)} requests are in flight at once; further
 * callers wait for a slot. {@link #close()} makes later calls fail with {@link ModelClosedException}.
 */
public final class RemoteModel implements LanguageModel {
    /** Asclepius' context (LLaMA-2 based 7B/13B): used for {@link #info()} unless set. */
    public static final int DEFAULT_CONTEXT_LENGTH = 2048;

    /** Longest {@code Retry-After} honoured; a server asking for more is retried after this long. */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(2);

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final Pattern MAX_CONTEXT = Pattern.compile("maximum context length is (\\d+)");
    private static final Pattern REQUESTED = Pattern.compile("(\\d+) (?:in the messages|input tokens|tokens in the prompt)");

    private final URI completionsUri;
    private final String modelName;
    private final Optional<String> apiKey;
    private final Duration requestTimeout;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final boolean requestTokenIds;
    private final boolean alwaysStream;
    private final Optional<TextTokenizer> tokenizer;
    private final boolean ownsTokenizer;
    private final int contextLength;
    private final Semaphore slots;
    private final HttpClient http;
    private final ModelInfo info;
    private volatile boolean closed;

    private RemoteModel(Builder b) {
        String base = b.baseUri.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        // Both http://host:8000 and http://host:8000/v1 (the OpenAI "base_url" habit) are accepted.
        this.completionsUri = URI.create(base.endsWith("/v1") ? base + "/completions" : base + "/v1/completions");
        this.modelName = b.modelName;
        this.apiKey = b.apiKey != null ? Optional.of(b.apiKey)
                : Optional.ofNullable(System.getenv("OPENAI_API_KEY")).filter(s -> !s.isBlank());
        this.requestTimeout = b.requestTimeout;
        this.maxRetries = b.maxRetries;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.requestTokenIds = b.requestTokenIds;
        this.alwaysStream = b.alwaysStream;
        this.contextLength = b.contextLength;
        this.slots = new Semaphore(b.maxConcurrency, true);
        if (b.tokenizer != null) {
            this.tokenizer = Optional.of(b.tokenizer);
            this.ownsTokenizer = false;
        } else if (b.tokenizerDir != null) {
            this.tokenizer = Optional.of(HfTextTokenizer.load(b.tokenizerDir));
            this.ownsTokenizer = true;
        } else {
            this.tokenizer = Optional.empty();
            this.ownsTokenizer = false;
        }
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout)
                .build();
        int vocab = tokenizer.map(TextTokenizer::vocabSize).orElse(0);
        this.info = new ModelInfo(Path.of(modelName), "remote", 0, 0, 0, 0, 0, vocab, contextLength, 0,
                Device.cpu(), ComputeType.F32);
    }

    /** A model named {@code modelName} (as the server knows it) at {@code baseUri} ({@code http://host:port}). */
    public static Builder builder(URI baseUri, String modelName) {
        return new Builder(baseUri, modelName);
    }

    /** The endpoint requests go to. */
    public URI completionsUri() {
        return completionsUri;
    }

    public String modelName() {
        return modelName;
    }

    @Override
    public GenerationResult generate(int[] promptIds, GenerationConfig config, TokenListener listener) {
        Objects.requireNonNull(promptIds, "promptIds");
        if (promptIds.length == 0) {
            throw new InvalidInputException("The prompt is empty: pass at least one token id (normally BOS plus text).");
        }
        JsonArray ids = new JsonArray(promptIds.length);
        for (int id : promptIds) {
            ids.add(id);
        }
        return call(ids, promptIds.length, config, listener);
    }

    /** Sends {@code prompt} as text: the server tokenizes it, so no local tokenizer is needed. */
    /** Sends every prompt at once (up to the concurrency limit) and waits for all, results in order. */
    @Override
    public java.util.List<GenerationResult> generateAll(java.util.List<String> prompts, GenerationConfig config) {
        java.util.List<java.util.concurrent.CompletableFuture<GenerationResult>> pending = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Math.max(1, Math.min(prompts.size(), slots.availablePermits() + 1)));
        try {
            for (String prompt : prompts) {
                pending.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> generate(prompt, config), pool));
            }
            java.util.List<GenerationResult> results = new java.util.ArrayList<>();
            for (java.util.concurrent.CompletableFuture<GenerationResult> f : pending) {
                try {
                    results.add(f.join());
                } catch (java.util.concurrent.CompletionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw e;
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    public GenerationResult generate(String prompt, GenerationConfig config, TokenListener listener) {
        Objects.requireNonNull(prompt, "prompt");
        int known = tokenizer.map(t -> t.encode(prompt).length).orElse(-1);
        return call(new JsonPrimitive(prompt), known, config, listener);
    }

    /**
     * The local tokenizer given to the builder; empty when none was configured (the server tokenizes text
     * prompts itself). For local token counts, pass the model's tokenizer folder to
     * {@link Builder#tokenizer(Path)}.
     */
    @Override
    public Optional<TextTokenizer> tokenizer() {
        return tokenizer;
    }

    /** Whether a local tokenizer is configured. */
    public boolean hasTokenizer() {
        return tokenizer.isPresent();
    }

    /**
     * What is known locally: source is the model name, type {@code remote}, the context length from the
     * builder, the vocabulary size from the local tokenizer (0 without one); the shape fields are 0.
     */
    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public void close() {
        closed = true;
        if (ownsTokenizer) {
            tokenizer.ifPresent(t -> ((HfTextTokenizer) t).close());
        }
    }

    // ---- request

    private GenerationResult call(JsonElement prompt, int knownPromptTokens, GenerationConfig config,
                                  TokenListener listener) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(listener, "listener");
        ensureOpen();
        int maxTokens = config.maxNewTokens();
        boolean clamped = false;
        if (knownPromptTokens >= 0) {
            if (knownPromptTokens >= contextLength) {
                throw new ContextLengthExceededException(knownPromptTokens, contextLength);
            }
            // As the local engine does: generate until the context is full rather than have the server reject it.
            if (knownPromptTokens + maxTokens > contextLength) {
                maxTokens = contextLength - knownPromptTokens;
                clamped = true;
            }
        }
        boolean stream = alwaysStream || listener != TokenListener.NONE;
        String body = GSON.toJson(requestBody(prompt, maxTokens, config, stream));
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AsclepiusException("Interrupted while waiting for a free request slot to " + completionsUri, e);
        }
        try {
            ensureOpen();
            return send(body, stream, listener, config, clamped);
        } finally {
            slots.release();
        }
    }

    private JsonObject requestBody(JsonElement prompt, int maxTokens, GenerationConfig config, boolean stream) {
        JsonObject o = new JsonObject();
        o.addProperty("model", modelName);
        o.add("prompt", prompt);
        o.addProperty("max_tokens", maxTokens);
        o.addProperty("temperature", config.temperature());
        o.addProperty("top_p", config.topP());
        if (config.topK() > 0) {
            o.addProperty("top_k", config.topK());
        }
        if (config.repetitionPenalty() != 1f) {
            o.addProperty("repetition_penalty", config.repetitionPenalty());
        }
        config.seed().ifPresent(s -> o.addProperty("seed", s));
        if (!config.stopStrings().isEmpty()) {
            JsonArray stop = new JsonArray();
            config.stopStrings().forEach(stop::add);
            o.add("stop", stop);
        }
        if (!config.stopTokenIds().isEmpty()) {
            JsonArray ids = new JsonArray();
            config.stopTokenIds().stream().sorted().forEach(ids::add);
            o.add("stop_token_ids", ids);
        }
        if (config.ignoreEos()) {
            o.addProperty("ignore_eos", true);
        }
        if (!config.cacheScope().isEmpty()) {
            o.addProperty("cache_salt", config.cacheScope());   // vLLM: prefix-cache entries reused only per salt
        }
        if (requestTokenIds) {
            o.addProperty("return_token_ids", true);
        }
        o.addProperty("stream", stream);
        if (stream) {
            JsonObject options = new JsonObject();
            options.addProperty("include_usage", true);
            o.add("stream_options", options);
        }
        return o;
    }

    private GenerationResult send(String body, boolean stream, TokenListener listener, GenerationConfig config,
                                  boolean clamped) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(completionsUri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", stream ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        apiKey.ifPresent(k -> rb.header("Authorization", "Bearer " + k));
        HttpRequest request = rb.build();
        int lastStatus = -1;
        String lastProblem = "";
        Throwable lastCause = null;
        for (int attempt = 0; ; attempt++) {
            Duration wait = null;
            long started = System.nanoTime();
            try {
                HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    // Accepted: from here on nothing is retried (the server has started generating).
                    try (InputStream in = response.body()) {
                        return stream ? readStream(in, started, listener, config, clamped)
                                : readCompletion(in, started, config, clamped);
                    } catch (IOException e) {
                        throw new RemoteException("The connection to " + completionsUri + " broke while reading the "
                                + "response: " + e, completionsUri, status, e);
                    }
                }
                String errorBody = readAll(response.body());
                lastStatus = status;
                lastProblem = errorMessage(errorBody);
                lastCause = null;
                if (status != 429 && status / 100 != 5) {
                    throw clientError(status, lastProblem);
                }
                wait = retryAfter(response).orElse(null);
            } catch (HttpConnectTimeoutException | ConnectException e) {
                lastStatus = -1;
                lastProblem = "cannot connect: " + e;
                lastCause = e;
            } catch (HttpTimeoutException e) {
                throw new RemoteException("No response from " + completionsUri + " within " + requestTimeout
                        + " (request timeout; raise it with RemoteModel.builder(...).requestTimeout(...))",
                        completionsUri, -1, e);
            } catch (IOException e) {
                lastStatus = -1;
                lastProblem = "I/O error: " + e;
                lastCause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AsclepiusException("Interrupted during a request to " + completionsUri, e);
            }
            if (attempt >= maxRetries) {
                String what = lastStatus > 0 ? "HTTP " + lastStatus + (lastProblem.isEmpty() ? "" : ": " + lastProblem)
                        : lastProblem;
                throw new RemoteException("Request to " + completionsUri + " failed after " + (attempt + 1)
                        + " attempt(s); last: " + what, completionsUri, lastStatus, lastCause);
            }
            sleep(wait != null ? min(wait, MAX_RETRY_AFTER) : backoff(attempt));
            ensureOpen();
        }
    }

    private AsclepiusException clientError(int status, String message) {
        String server = message.isEmpty() ? "(no message)" : message;
        if (status == 401 || status == 403) {
            return new RemoteException("The server at " + completionsUri + " rejected the API key (HTTP " + status
                    + "): " + server + ". Set it with RemoteModel.builder(...).apiKey(...) or the OPENAI_API_KEY "
                    + "environment variable.", completionsUri, status, null);
        }
        if (message.contains("maximum context length")) {
            Matcher ctx = MAX_CONTEXT.matcher(message);
            Matcher req = REQUESTED.matcher(message);
            return new ContextLengthExceededException("The server says the prompt does not fit: " + message,
                    req.find() ? Integer.parseInt(req.group(1)) : -1,
                    ctx.find() ? Integer.parseInt(ctx.group(1)) : -1);
        }
        if (status == 404) {
            return new RemoteException("HTTP 404 from " + completionsUri + ": " + server + " (check the base URL and "
                    + "that the server serves the model named '" + modelName + "')", completionsUri, status, null);
        }
        return new InvalidInputException("The server at " + completionsUri + " refused the request (HTTP " + status
                + "): " + server);
    }

    // ---- responses

    private GenerationResult readCompletion(InputStream in, long started, GenerationConfig config, boolean clamped)
            throws IOException {
        JsonObject o = parseObject(readAll(in));
        long end = System.nanoTime();
        JsonObject choice = firstChoice(o);
        Accumulator acc = new Accumulator();
        acc.add(choice);
        acc.usage(o);
        return acc.result(config, clamped, end - started, 0);
    }

    private GenerationResult readStream(InputStream in, long started, TokenListener listener, GenerationConfig config,
                                        boolean clamped) throws IOException {
        Accumulator acc = new Accumulator();
        long firstChunk = -1;
        boolean done = false;
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (!line.startsWith("data:")) {
                continue; // blank separators, ": keep-alive" comments, "event:" lines
            }
            String data = line.substring(5).strip();
            if (data.equals("[DONE]")) {
                done = true;
                break;
            }
            JsonObject chunk = parseObject(data);
            if (chunk.has("error") || "error".equals(string(chunk, "object"))) {
                throw new RemoteException("The server at " + completionsUri + " failed mid-stream: "
                        + errorMessage(data), completionsUri, 200, null);
            }
            if (firstChunk < 0) {
                firstChunk = System.nanoTime();
            }
            acc.usage(chunk);
            JsonArray choices = chunk.has("choices") && chunk.get("choices").isJsonArray()
                    ? chunk.getAsJsonArray("choices") : new JsonArray();
            if (choices.isEmpty()) {
                continue; // the usage-only chunk
            }
            JsonObject choice = choices.get(0).getAsJsonObject();
            int before = acc.ids.size();
            String delta = acc.add(choice);
            if (!delta.isEmpty()) {
                listener.onToken(delta, acc.ids.size() > before ? acc.ids.get(acc.ids.size() - 1) : -1);
            }
        }
        if (!done && acc.finish == null) {
            throw new RemoteException("The stream from " + completionsUri + " ended before its finish reason and "
                    + "[DONE]; the output so far is incomplete", completionsUri, 200, null);
        }
        long end = System.nanoTime();
        long first = firstChunk < 0 ? end : firstChunk;
        return acc.result(config, clamped, first - started, end - first);
    }

    /** The parts of a completion, from one response or many stream chunks. */
    private final class Accumulator {
        final StringBuilder text = new StringBuilder();
        final List<Integer> ids = new ArrayList<>();
        boolean serverIds;
        String finish;
        JsonElement stopReason;
        int promptTokens = -1;
        int completionTokens = -1;
        int cachedTokens;

        String add(JsonObject choice) {
            String delta = string(choice, "text");
            delta = delta == null ? "" : delta;
            text.append(delta);
            JsonElement tids = choice.get("token_ids");
            if (tids != null && tids.isJsonArray()) {
                serverIds = true;
                for (JsonElement e : tids.getAsJsonArray()) {
                    ids.add(e.getAsInt());
                }
            }
            String f = string(choice, "finish_reason");
            if (f != null) {
                finish = f;
                JsonElement sr = choice.get("stop_reason");
                stopReason = sr == null || sr.isJsonNull() ? null : sr;
            }
            return delta;
        }

        void usage(JsonObject o) {
            JsonElement u = o.get("usage");
            if (u != null && u.isJsonObject()) {
                JsonObject usage = u.getAsJsonObject();
                if (usage.has("prompt_tokens") && !usage.get("prompt_tokens").isJsonNull()) {
                    promptTokens = usage.get("prompt_tokens").getAsInt();
                }
                if (usage.has("completion_tokens") && !usage.get("completion_tokens").isJsonNull()) {
                    completionTokens = usage.get("completion_tokens").getAsInt();
                }
                // OpenAI's shape; vLLM fills it with --enable-prompt-tokens-details, else sends null.
                JsonElement details = usage.get("prompt_tokens_details");
                if (details != null && details.isJsonObject()) {
                    JsonElement cached = details.getAsJsonObject().get("cached_tokens");
                    if (cached != null && cached.isJsonPrimitive() && cached.getAsJsonPrimitive().isNumber()) {
                        cachedTokens = Math.max(0, cached.getAsInt());
                    }
                }
            }
        }

        GenerationResult result(GenerationConfig config, boolean clamped, long prefillNanos, long decodeNanos) {
            String out = text.toString();
            FinishReason reason = finishReason(clamped);
            List<Integer> tokenIds = ids;
            if (!serverIds && tokenizer.isPresent()) {
                TextTokenizer t = tokenizer.get();
                int[] enc = t.encode(out);
                int from = enc.length > 0 && enc[0] == t.bosId() ? 1 : 0;
                tokenIds = new ArrayList<>();
                for (int i = from; i < enc.length; i++) {
                    tokenIds.add(enc[i]);
                }
                if (reason == FinishReason.EOS) {
                    tokenIds.add(t.eosId());
                } else if (reason == FinishReason.STOP_TOKEN && stopReason != null && stopReason.isJsonPrimitive()
                        && stopReason.getAsJsonPrimitive().isNumber()) {
                    tokenIds.add(stopReason.getAsInt());
                }
            }
            int generated = completionTokens >= 0 ? completionTokens : tokenIds.size();
            int prompt = Math.max(promptTokens, 0);
            return new GenerationResult(out, tokenIds, reason, prompt, Duration.ofNanos(Math.max(prefillNanos, 0)),
                    Duration.ofNanos(Math.max(decodeNanos, 0)), Math.max(generated - 1, 0), Math.min(cachedTokens, prompt),
                    generated);
        }

        private FinishReason finishReason(boolean clamped) {
            if (finish == null || finish.equals("length")) {
                return clamped ? FinishReason.CONTEXT_FULL : FinishReason.MAX_TOKENS;
            }
            if (stopReason != null && stopReason.isJsonPrimitive()) {
                JsonPrimitive p = stopReason.getAsJsonPrimitive();
                if (p.isNumber()) {
                    return tokenizer.isPresent() && p.getAsInt() == tokenizer.get().eosId()
                            ? FinishReason.EOS : FinishReason.STOP_TOKEN;
                }
                if (p.isString()) {
                    return FinishReason.STOP_STRING;
                }
            }
            return FinishReason.EOS; // "stop" with no named stop: the end-of-sequence token
        }
    }

    // ---- helpers

    private JsonObject parseObject(String json) {
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw new JsonParseException("not a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new RemoteException("Unreadable response from " + completionsUri + " (" + e.getMessage() + "): "
                    + abbreviate(json), completionsUri, 200, e);
        }
    }

    private JsonObject firstChoice(JsonObject o) {
        JsonElement choices = o.get("choices");
        if (choices == null || !choices.isJsonArray() || choices.getAsJsonArray().isEmpty()) {
            throw new RemoteException("Response from " + completionsUri + " has no choices: " + abbreviate(o.toString()),
                    completionsUri, 200, null);
        }
        return choices.getAsJsonArray().get(0).getAsJsonObject();
    }

    /** The message of an OpenAI ({@code {"error": {"message": ...}}}) or older vLLM ({@code {"message": ...}}) error body. */
    static String errorMessage(String body) {
        try {
            JsonElement e = JsonParser.parseString(body);
            if (e.isJsonObject()) {
                JsonObject o = e.getAsJsonObject();
                JsonElement err = o.get("error");
                if (err != null && err.isJsonObject() && err.getAsJsonObject().has("message")) {
                    return err.getAsJsonObject().get("message").getAsString();
                }
                if (err != null && err.isJsonPrimitive()) {
                    return err.getAsString();
                }
                if (o.has("message") && o.get("message").isJsonPrimitive()) {
                    return o.get("message").getAsString();
                }
                if (o.has("detail") && o.get("detail").isJsonPrimitive()) {
                    return o.get("detail").getAsString();
                }
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException ignored) {
            // not JSON: report the text
        }
        return abbreviate(body.strip());
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500) + "...";
    }

    private static String readAll(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Retry-After as delay-seconds or an HTTP date. */
    static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(RemoteModel::parseRetryAfter);
    }

    static Optional<Duration> parseRetryAfter(String value) {
        String v = value.strip();
        try {
            return Optional.of(Duration.ofMillis(Math.max(0, (long) (Double.parseDouble(v) * 1000))));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException unreadable) {
                return Optional.empty();
            }
        }
    }

    /** Exponential backoff with "equal jitter": half fixed, half random. */
    private Duration backoff(int attempt) {
        long base = initialBackoff.toMillis() << Math.min(attempt, 20);
        long capped = Math.min(base, maxBackoff.toMillis());
        long half = capped / 2;
        return Duration.ofMillis(half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AsclepiusException("Interrupted while waiting to retry " + completionsUri, e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new ModelClosedException("This RemoteModel has been closed; build a new one to use it.");
        }
    }

    @Override
    public String toString() {
        return "RemoteModel[" + modelName + " at " + completionsUri + "]";
    }

    /** Connection settings; only the base URI and the model name are required. */
    public static final class Builder {
        private final URI baseUri;
        private final String modelName;
        private String apiKey;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofMinutes(5);
        private int maxRetries = 4;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private int maxConcurrency = 16;
        private Path tokenizerDir;
        private TextTokenizer tokenizer;
        private boolean requestTokenIds;
        private boolean alwaysStream;
        private int contextLength = DEFAULT_CONTEXT_LENGTH;

        private Builder(URI baseUri, String modelName) {
            this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
            this.modelName = Objects.requireNonNull(modelName, "modelName");
            String scheme = baseUri.getScheme();
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || baseUri.getHost() == null) {
                throw new InvalidInputException("The server URI must be http(s)://host[:port][/v1], got " + baseUri);
            }
            if (modelName.isBlank()) {
                throw new InvalidInputException("The model name is empty: pass the name the server serves "
                        + "(vLLM: the id given to `vllm serve`, e.g. starmpcc/Asclepius-7B)");
            }
        }

        /** Bearer token sent as {@code Authorization}; default the {@code OPENAI_API_KEY} environment variable, if set. */
        public Builder apiKey(String value) {
            this.apiKey = Objects.requireNonNull(value, "apiKey");
            return this;
        }

        /** Time to open a connection; default 10 s. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        /**
         * Time until the response starts (its headers: for a non-streaming request, the whole generation);
         * default 5 minutes.
         */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = positive(value, "requestTimeout");
            return this;
        }

        /** Retries after a 429, a 5xx or a connection failure (0 = none); default 4. */
        public Builder maxRetries(int value) {
            if (value < 0) {
                throw new InvalidInputException("maxRetries must be >= 0, got " + value);
            }
            this.maxRetries = value;
            return this;
        }

        /** First retry delay, doubled per retry (with jitter) up to {@code max}; defaults 500 ms and 30 s. */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = positive(initial, "initial backoff");
            this.maxBackoff = positive(max, "max backoff");
            return this;
        }

        /** Most requests in flight at once from this instance; more callers wait. Default 16. */
        public Builder maxConcurrency(int value) {
            if (value <= 0) {
                throw new InvalidInputException("maxConcurrency must be > 0, got " + value);
            }
            this.maxConcurrency = value;
            return this;
        }

        /**
         * A local copy of the model's tokenizer folder ({@code tokenizer.json} and its configs) for
         * {@link RemoteModel#tokenizer()}, prompt-length checks and token ids when the server returns none.
         */
        public Builder tokenizer(Path dir) {
            this.tokenizerDir = Objects.requireNonNull(dir, "dir");
            this.tokenizer = null;
            return this;
        }

        /** A tokenizer the caller owns (not closed by {@link RemoteModel#close()}). */
        public Builder tokenizer(TextTokenizer value) {
            this.tokenizer = Objects.requireNonNull(value, "tokenizer");
            this.tokenizerDir = null;
            return this;
        }

        /**
         * Streams every request (server-sent events with {@code include_usage}), also those without a token
         * listener, so that each result splits its time into prefill (until the first chunk) and decode (the
         * rest); default off: a request without a listener is one JSON response, whose whole time counts as
         * prefill (decode time 0).
         */
        public Builder stream(boolean value) {
            this.alwaysStream = value;
            return this;
        }

        /**
         * Asks for the generated token ids ({@code "return_token_ids": true}, vLLM 0.10.2+ and
         * {@code asclepius serve}); default off, as other servers may reject unknown fields.
         */
        public Builder requestTokenIds(boolean value) {
            this.requestTokenIds = value;
            return this;
        }

        /** The served model's context (prompt + answer); default 2048. Used with a local tokenizer. */
        public Builder contextLength(int value) {
            if (value <= 0) {
                throw new InvalidInputException("contextLength must be > 0, got " + value);
            }
            this.contextLength = value;
            return this;
        }

        public RemoteModel build() {
            return new RemoteModel(this);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new InvalidInputException(what + " must be > 0, got " + d);
            }
            return d;
        }
    }
}
