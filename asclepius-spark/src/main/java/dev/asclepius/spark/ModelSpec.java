package dev.asclepius.spark;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.asclepius.core.AsclepiusException;
import dev.asclepius.core.Device;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LocalModel;
import dev.asclepius.core.RemoteException;
import dev.asclepius.core.internal.checkpoint.Checkpoint;
import dev.asclepius.core.internal.model.ModelConfig;
import dev.asclepius.core.internal.tokenizer.HfTextTokenizer;
import dev.asclepius.core.remote.RemoteModel;
import dev.asclepius.tasks.AsclepiusClient;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which model the executors run: a model folder loaded in each executor JVM ({@link #local(Path)}), or an
 * OpenAI-compatible server (vLLM, {@code asclepius serve}) every executor calls ({@link #remote(URI, String)}).
 *
 * <p>A spec is a small serializable value: Spark ships it to the executors inside the job, and each
 * executor JVM opens the model it names once (see {@link Asclepius}). Two equal specs share one model in
 * a JVM. Immutable; the {@code with...} methods return a changed copy.
 */
public final class ModelSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    enum Kind { LOCAL, REMOTE, CUSTOM }

    private final Kind kind;
    private final String location;      // local: the folder; remote: the base URI
    private final String modelName;     // remote only
    private final String device;        // local only, Device.toString()
    private final int threads;          // local only, 0 = PyTorch's default
    private final int maxConcurrency;   // remote only
    private final String apiKey;        // remote only; null = $OPENAI_API_KEY on the executor
    private final int contextLength;    // remote only
    private final boolean tokenIds;     // remote only: ask for the generated token ids
    private final ModelFactory factory; // custom only

    private ModelSpec(Kind kind, String location, String modelName, String device, int threads, int maxConcurrency,
                      String apiKey, int contextLength, boolean tokenIds) {
        this(kind, location, modelName, device, threads, maxConcurrency, apiKey, contextLength, tokenIds, null);
    }

    private ModelSpec(Kind kind, String location, String modelName, String device, int threads, int maxConcurrency,
                      String apiKey, int contextLength, boolean tokenIds, ModelFactory factory) {
        this.kind = kind;
        this.location = location;
        this.modelName = modelName;
        this.device = device;
        this.threads = threads;
        this.maxConcurrency = maxConcurrency;
        this.apiKey = apiKey;
        this.contextLength = contextLength;
        this.tokenIds = tokenIds;
        this.factory = factory;
    }

    /**
     * A model folder (as published on the hub) that every executor loads on the CPU. The path must be
     * readable on each executor (a shared file system, or the same path on every node) and, for the
     * check {@link SparkTasks#transform} makes before the job starts, on the driver.
     */
    public static ModelSpec local(Path modelDir) {
        return local(modelDir, Device.cpu());
    }

    /** A model folder every executor loads on {@code device} (a GPU holds and computes it in f16). */
    public static ModelSpec local(Path modelDir, Device device) {
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(device, "device");
        return new ModelSpec(Kind.LOCAL, modelDir.toString(), "", device.toString(), 0, 0, null, 0, false);
    }

    /**
     * The model {@code modelName} served at {@code baseUri} ({@code http://vllm:8000}); each executor JVM
     * keeps one HTTP client with at most 16 requests in flight ({@link #withMaxConcurrency(int)}).
     */
    public static ModelSpec remote(URI baseUri, String modelName) {
        Objects.requireNonNull(baseUri, "baseUri");
        if (modelName == null || modelName.isBlank()) {
            throw new InvalidInputException("The remote model name is empty: pass the name the server serves (GET /v1/models)");
        }
        String scheme = baseUri.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new InvalidInputException("The remote model URI must be http:// or https://, got '" + baseUri + "'");
        }
        return new ModelSpec(Kind.REMOTE, baseUri.toString(), modelName, "cpu", 0, 16, null, RemoteModel.DEFAULT_CONTEXT_LENGTH, false);
    }

    /**
     * A model {@code factory} opens on each executor (once per JVM, shared by its tasks like the others):
     * another backend, or a model configured beyond what {@link #local} and {@link #remote} offer. The
     * {@code name} identifies it: specs with the same name (and factory class) share one model in a JVM.
     * Nothing is checked on the driver.
     */
    public static ModelSpec custom(String name, ModelFactory factory) {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("A custom model spec needs a name");
        }
        Objects.requireNonNull(factory, "factory");
        return new ModelSpec(Kind.CUSTOM, name, factory.getClass().getName(), "cpu", 0, 0, null, 0, false, factory);
    }

    /** Remote: requests in flight at once from one executor JVM, over all its tasks (default 16). */
    public ModelSpec withMaxConcurrency(int value) {
        requireKind(Kind.REMOTE, "withMaxConcurrency");
        if (value < 1) {
            throw new InvalidInputException("maxConcurrency must be >= 1, got " + value);
        }
        return new ModelSpec(kind, location, modelName, device, threads, value, apiKey, contextLength, tokenIds);
    }

    /**
     * Remote: the API key to send. It travels inside the Spark job (visible to whoever can read the
     * job's closures); without it each executor reads {@code $OPENAI_API_KEY}, which is the safer way.
     */
    public ModelSpec withApiKey(String value) {
        requireKind(Kind.REMOTE, "withApiKey");
        if (value == null || value.isBlank()) {
            throw new InvalidInputException("The API key is empty");
        }
        return new ModelSpec(kind, location, modelName, device, threads, maxConcurrency, value, contextLength, tokenIds);
    }

    /** Remote: the served model's context length in tokens (default 2048, Asclepius' LLaMA-2 context). */
    public ModelSpec withContextLength(int value) {
        requireKind(Kind.REMOTE, "withContextLength");
        if (value < 16) {
            throw new InvalidInputException("contextLength must be >= 16, got " + value);
        }
        return new ModelSpec(kind, location, modelName, device, threads, maxConcurrency, apiKey, value, tokenIds);
    }

    /**
     * Remote: ask the server for the generated token ids ({@code return_token_ids}: vLLM 0.10.2+ and
     * {@code asclepius serve}; default off, as other servers may reject the field). Without them a remote
     * model reports 0 generated tokens per answer ({@code RemoteModel} counts the ids it received), so the
     * {@code generated_tokens} column and the token accumulator stay 0.
     */
    public ModelSpec withRequestTokenIds(boolean value) {
        requireKind(Kind.REMOTE, "withRequestTokenIds");
        return new ModelSpec(kind, location, modelName, device, threads, maxConcurrency, apiKey, contextLength, value);
    }

    /** Local: PyTorch threads of the executor's model (default PyTorch's choice); match the executor's cores. */
    public ModelSpec withThreads(int value) {
        requireKind(Kind.LOCAL, "withThreads");
        if (value < 1) {
            throw new InvalidInputException("threads must be >= 1, got " + value);
        }
        return new ModelSpec(kind, location, modelName, device, value, maxConcurrency, apiKey, contextLength, tokenIds);
    }

    public boolean isRemote() {
        return kind == Kind.REMOTE;
    }

    private void requireKind(Kind wanted, String method) {
        if (kind != wanted) {
            throw new InvalidInputException(method + " applies to a " + wanted.name().toLowerCase(java.util.Locale.ROOT)
                    + " model spec, this one is " + kind.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /**
     * Checks, without loading weights, that the model can be opened: a local folder's config, checkpoint
     * files and tokenizer; a remote server's {@code GET /v1/models} naming the model. Runs on the driver
     * at {@code transform} time, so a wrong spec fails before any partition starts.
     *
     * @throws AsclepiusException (a {@link dev.asclepius.core.CheckpointException}, {@link RemoteException}, ...)
     *                            saying what is wrong
     */
    public void check() {
        if (kind == Kind.CUSTOM) {
            return;   // only the factory knows, and opening the model on the driver is what this avoids
        }
        if (kind == Kind.LOCAL) {
            Path dir = Path.of(location);
            ModelConfig.read(dir);
            try (Checkpoint checkpoint = Checkpoint.open(dir); HfTextTokenizer tokenizer = HfTextTokenizer.load(dir)) {
                Objects.requireNonNull(checkpoint);
                Objects.requireNonNull(tokenizer);
            }
            return;
        }
        String base = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
        URI uri = URI.create(base.endsWith("/v1") ? base + "/models" : base + "/v1/models");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        String key = apiKey != null ? apiKey : System.getenv("OPENAI_API_KEY");
        if (key != null && !key.isBlank()) {
            request.header("Authorization", "Bearer " + key);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RemoteException("Cannot reach the model server at " + uri + " (" + e + "): is it running, "
                    + "and reachable from the driver and the executors?", uri, -1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException("Interrupted while checking the model server at " + uri, uri, -1, e);
        }
        if (response.statusCode() != 200) {
            throw new RemoteException("The model server at " + uri + " answered HTTP " + response.statusCode()
                    + (response.statusCode() == 401 || response.statusCode() == 403 ? ": check the API key" : "")
                    + ": " + abbreviate(response.body()), uri, response.statusCode(), null);
        }
        List<String> served = new ArrayList<>();
        try {
            for (JsonElement m : JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("data")) {
                served.add(m.getAsJsonObject().get("id").getAsString());
            }
        } catch (RuntimeException e) {
            throw new RemoteException("The model server at " + uri + " did not answer GET /v1/models with an "
                    + "OpenAI model list: " + abbreviate(response.body()), uri, 200, e);
        }
        if (!served.contains(modelName)) {
            throw new RemoteException("The model server at " + uri + " does not serve '" + modelName + "'; it serves "
                    + served + ". Pass one of those names to ModelSpec.remote.", uri, 200, null);
        }
    }

    /** Opens the model this spec names (on an executor), as a client that owns it. */
    AsclepiusClient open() {
        if (kind == Kind.CUSTOM) {
            return AsclepiusClient.builder().model(factory.open()).closeModel(true).build();
        }
        if (kind == Kind.LOCAL) {
            LocalModel.Builder builder = LocalModel.builder(Path.of(location)).device(Device.parse(device));
            if (threads > 0) {
                builder.threads(threads);
            }
            return AsclepiusClient.builder().model(builder).build();   // the client builds the model and owns it
        }
        RemoteModel.Builder builder = RemoteModel.builder(URI.create(location), modelName)
                .maxConcurrency(maxConcurrency).contextLength(contextLength).requestTokenIds(tokenIds);
        if (apiKey != null) {
            builder.apiKey(apiKey);
        }
        return AsclepiusClient.builder().model(builder.build()).closeModel(true).build();
    }

    private static String abbreviate(String body) {
        String s = body == null ? "" : body.strip();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSpec m && kind == m.kind && location.equals(m.location) && modelName.equals(m.modelName)
                && device.equals(m.device) && threads == m.threads && maxConcurrency == m.maxConcurrency
                && Objects.equals(apiKey, m.apiKey) && contextLength == m.contextLength && tokenIds == m.tokenIds;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, location, modelName, device, threads, maxConcurrency, apiKey, contextLength, tokenIds);
    }

    /** The spec without its API key (specs end up in logs and the Spark UI). */
    @Override
    public String toString() {
        if (kind == Kind.CUSTOM) {
            return "ModelSpec.custom(" + location + ")";
        }
        return kind == Kind.LOCAL
                ? "ModelSpec.local(" + location + ", " + device + (threads > 0 ? ", threads=" + threads : "") + ")"
                : "ModelSpec.remote(" + location + ", " + modelName + ", maxConcurrency=" + maxConcurrency + ")";
    }
}
