package dev.asclepius.core.remote;

import dev.asclepius.core.AsclepiusException;
import dev.asclepius.core.ContextLengthExceededException;
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
import dev.asclepius.core.internal.remote.CompletionReader;
import dev.asclepius.core.internal.remote.CompletionTransport;
import dev.asclepius.core.internal.remote.RequestMapping;
import dev.asclepius.core.internal.tokenizer.HfTextTokenizer;
import dev.asclepius.core.internal.wire.CompletionCodec;
import dev.asclepius.core.internal.wire.Prompt;
import dev.asclepius.core.internal.wire.RetryPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

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
 * <p><b>Errors and retries.</b> 408, 429, 5xx and connection failures are retried up to
 * {@link Builder#maxRetries(int)} times with exponential backoff and full jitter, honouring {@code Retry-After}
 * (up to 2 minutes). Every failure is a typed {@link RemoteException} that names the URL and says, with
 * {@link RemoteException#isRetryable()}, whether sending the request again later can help:
 * {@link RemoteAuthenticationException} (401/403: the API key), {@link RemoteNotFoundException} (404: the URL or
 * model name), {@link RemoteBadRequestException} (other 4xx, with the server's message),
 * {@link RemoteOverloadedException} (429/503 through every retry, with the last {@code Retry-After}),
 * {@link RemoteServerException} (other 5xx through every retry), {@link RemoteConnectionException} (no
 * connection through every retry, or no answer within the request timeout, which is not retried: the server may
 * still be generating) and {@link RemoteStreamException} (the answer broke off, carried the server's error, or
 * was not the completions format, after the server accepted the request: never retried). A 400 that says
 * "maximum context length" raises {@link ContextLengthExceededException}.
 *
 * <p>Thread-safe: at most {@link Builder#maxConcurrency(int)} requests are in flight at once; further
 * callers wait for a slot. {@link #close()} makes later calls fail with {@link ModelClosedException}.
 */
public final class RemoteModel implements LanguageModel {
    /** Asclepius' context (LLaMA-2 based 7B/13B): used for {@link #info()} unless set. */
    public static final int DEFAULT_CONTEXT_LENGTH = 2048;

    /** Longest {@code Retry-After} honoured; a server asking for more is retried after this long. */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(2);

    private final URI completionsUri;
    private final String modelName;
    private final boolean requestTokenIds;
    private final boolean alwaysStream;
    private final Optional<TextTokenizer> tokenizer;
    private final boolean ownsTokenizer;
    private final int contextLength;
    private final Semaphore slots;
    private final CompletionTransport transport;
    private final CompletionReader reader;
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
        Optional<String> apiKey = b.apiKey != null ? Optional.of(b.apiKey)
                : Optional.ofNullable(System.getenv("OPENAI_API_KEY")).filter(s -> !s.isBlank());
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
        RetryPolicy retry = RetryPolicy.builder().maxAttempts(b.maxRetries + 1).backoff(b.initialBackoff, b.maxBackoff)
                .maxRetryAfter(MAX_RETRY_AFTER).build();
        this.transport = new CompletionTransport(completionsUri, modelName, apiKey, b.connectTimeout, b.requestTimeout,
                retry, this::ensureOpen);
        this.reader = new CompletionReader(completionsUri, tokenizer);
        this.info = ModelInfo.remote(completionsUri, modelName,
                tokenizer.map(t -> OptionalInt.of(t.vocabSize())).orElse(OptionalInt.empty()), contextLength);
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
        return call(Prompt.TokenIds.of(promptIds), promptIds.length, config, listener);
    }

    /** Sends every prompt at once (up to the concurrency limit) and waits for all, results in order. */
    @Override
    public List<GenerationResult> generateAll(List<String> prompts, GenerationConfig config) {
        List<CompletableFuture<GenerationResult>> pending = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(
                Math.max(1, Math.min(prompts.size(), slots.availablePermits() + 1)));
        try {
            for (String prompt : prompts) {
                pending.add(CompletableFuture.supplyAsync(() -> generate(prompt, config), pool));
            }
            List<GenerationResult> results = new ArrayList<>();
            for (CompletableFuture<GenerationResult> f : pending) {
                try {
                    results.add(f.join());
                } catch (CompletionException e) {
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

    /** Sends {@code prompt} as text: the server tokenizes it, so no local tokenizer is needed. */
    @Override
    public GenerationResult generate(String prompt, GenerationConfig config, TokenListener listener) {
        Objects.requireNonNull(prompt, "prompt");
        int known = tokenizer.map(t -> t.encode(prompt).length).orElse(-1);
        return call(new Prompt.Text(prompt), known, config, listener);
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

    /**
     * What is known locally: the source is the endpoint and model name ({@link dev.asclepius.core.ModelSource.Remote}),
     * type {@code remote}, the context length from the builder, the vocabulary size from the local tokenizer (absent
     * without one); shape, device and compute type are absent (the server knows them, this client does not).
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

    private GenerationResult call(Prompt prompt, int knownPromptTokens, GenerationConfig config, TokenListener listener) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(listener, "listener");
        ensureOpen();
        RequestMapping.Budget budget = RequestMapping.budget(knownPromptTokens, contextLength, config);
        boolean stream = alwaysStream || listener != TokenListener.NONE;
        String body = CompletionCodec.writeRequest(RequestMapping.request(modelName, prompt, budget.maxTokens(), config,
                stream, requestTokenIds));
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AsclepiusException("Interrupted while waiting for a free request slot to " + completionsUri, e);
        }
        try {
            ensureOpen();
            return transport.post(body, stream, (in, started) -> stream
                    ? reader.readStream(in, started, listener, budget.clamped())
                    : reader.readWhole(in, started, budget.clamped()));
        } finally {
            slots.release();
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

        /** Retries after a 408, 429, 5xx or a connection failure (0 = none); default 4. */
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
            if (max.compareTo(initial) < 0) {
                throw new InvalidInputException("The max backoff (" + max + ") is shorter than the initial one (" + initial
                        + ")");
            }
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
