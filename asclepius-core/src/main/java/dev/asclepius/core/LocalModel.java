package dev.asclepius.core;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import dev.asclepius.core.internal.generate.PromptValidator;
import dev.asclepius.core.internal.generate.Scheduler;
import dev.asclepius.core.internal.model.KvCache;
import dev.asclepius.core.internal.model.LlamaModel;
import dev.asclepius.core.internal.model.ModelConfig;
import dev.asclepius.core.internal.model.ModelLoader;
import dev.asclepius.core.internal.tokenizer.HfTextTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Asclepius (LLaMA / Mistral) checkpoint loaded into this process and run on DJL's PyTorch engine.
 *
 * <pre>{@code
 * try (LocalModel model = LocalModel.builder(Path.of("/models/Asclepius-7B")).build()) {
 *     String prompt = PromptTemplate.INFERENCE.format(note, "What medications were prescribed?");
 *     System.out.println(model.generate(prompt, GenerationConfig.greedy()).text());
 * }
 * }</pre>
 *
 * <p>Thread-safe, with continuous batching: generations requested from several threads are decoded
 * together in one batch (a request joins a running batch at its next step when it fits, and leaves when it
 * finishes), so concurrent callers share each pass over the weights instead of waiting in line. Token
 * listeners are called off the model's generation thread, each generation's in order on a thread of its
 * own, so a slow listener delays only its own result; {@link #generateAsync} returns a future whose
 * {@code cancel} stops that generation at its next step. {@link #close()} during a generation makes it
 * fail with {@link ModelClosedException} at its next step, then frees the native memory.
 */
public final class LocalModel implements LanguageModel {
    private static final Logger LOG = LoggerFactory.getLogger(LocalModel.class);
    /** Largest batch {@link #generateAll} forms: bounds the KV cache (rows × prompt + answer tokens). */
    public static final int MAX_BATCH = 8;

    private final ModelInfo info;
    private final HfTextTokenizer tokenizer;
    private final NDManager root;
    private final LlamaModel model;
    private final PromptValidator validator;
    private final Scheduler scheduler;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final long kvCacheBudget;
    private volatile boolean closed;

    private LocalModel(Builder b) {
        Path dir = b.modelDir.toAbsolutePath();
        long started = System.nanoTime();
        ComputeType computeType = b.computeType != null ? b.computeType : ComputeType.defaultFor(b.device);
        ai.djl.Device djlDevice = PyTorchRuntime.toDjl(b.device);
        if (b.threads.isPresent()) {
            PyTorchRuntime.threads(b.threads.getAsInt());
        }
        int prefillThreads = b.threads.orElse(PyTorchRuntime.threads());
        int decodeThreads = b.decodeThreads.orElse(prefillThreads);
        ModelLoader.Loaded loaded = ModelLoader.load(dir, djlDevice, computeType, b.loadListener, decodeThreads);
        ModelConfig config = loaded.config();
        this.model = loaded.model();
        this.tokenizer = loaded.tokenizer();
        this.kvCacheBudget = b.kvCacheBudget;
        this.root = loaded.manager();
        this.validator = new PromptValidator(config);
        this.scheduler = new Scheduler(model, tokenizer, lock, () -> closed, MAX_BATCH, this::maxSequences,
                kvCacheBudget, b.prefixCache, prefillThreads, decodeThreads);
        this.info = ModelInfo.local(dir, config.modelType(), new ModelShape(config.layers(), config.hiddenSize(),
                config.heads(), config.kvHeads(), config.intermediateSize(), config.parameters()), config.vocabSize(),
                config.contextLength(), b.device, computeType);
        LOG.info("Loaded {} ({} layers, {} params, {}) on {} as {} in {} ms", dir.getFileName(), config.layers(),
                config.parameters(), loaded.format(), b.device, computeType, (System.nanoTime() - started) / 1_000_000);
    }

    /** Starts loading the HuggingFace model folder {@code modelDir} (required). */
    public static Builder builder(Path modelDir) {
        return new Builder(modelDir);
    }

    /**
     * Starts loading the Hugging Face model {@code repoId} ({@code "org/name"}) at revision {@code "main"}: the
     * snapshot in the hub cache, downloaded first if missing, with the settings of the environment
     * ({@code HF_HUB_CACHE}, {@code HF_TOKEN}, {@code HF_HUB_OFFLINE}, ...). For other settings or a pinned
     * revision: {@code builder(HubModels.builder()...build().resolve(repoId, revision))}.
     */
    public static Builder fromHub(String repoId) {
        return builder(dev.asclepius.core.hub.HubModels.fromEnvironment().resolve(repoId));
    }

    /** Loads {@code modelDir} on the CPU in f32. */
    public static LocalModel load(Path modelDir) {
        return builder(modelDir).build();
    }

    @Override
    public GenerationResult generate(int[] promptIds, GenerationConfig config, TokenListener listener) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(listener, "listener");
        return generateBatch(List.of(promptIds), config, List.of(listener)).get(0);
    }

    /**
     * Generates for several prompts together, one result per prompt in order. Every decode step reads the
     * weights once for the whole batch, so on a memory-bound machine B sequences cost little more than one;
     * sequences that finish early leave the batch. Greedy results equal those of {@link #generate} one by
     * one (up to float rounding in near-ties: batched matmuls accumulate in a different order).
     *
     * @throws ContextLengthExceededException if any prompt alone fills the context (before any compute)
     */
    public List<GenerationResult> generateBatch(List<int[]> prompts, GenerationConfig config) {
        return generateBatch(prompts, config, java.util.Collections.nCopies(prompts.size(), TokenListener.NONE));
    }

    /**
     * Tokenizes the prompts and generates them in batches of at most {@value #MAX_BATCH} (each batch
     * computing the prompts' common prefix once), so a note's questions cost one prefill of the note.
     */
    @Override
    public List<GenerationResult> generateAll(List<String> prompts, GenerationConfig config) {
        List<int[]> ids = new java.util.ArrayList<>();
        for (String prompt : prompts) {
            ids.add(tokenizer.encode(prompt));
        }
        int longest = ids.stream().mapToInt(p -> p.length).max().orElse(1);
        int tokens = Math.min(info.contextLength(), longest + config.maxNewTokens());
        int width = Math.max(1, Math.min(MAX_BATCH, maxSequences(tokens)));
        List<GenerationResult> results = new java.util.ArrayList<>();
        for (int from = 0; from < ids.size(); from += width) {
            results.addAll(generateBatch(ids.subList(from, Math.min(ids.size(), from + width)), config));
        }
        return results;
    }

    /** Bytes of KV cache that {@code sequences} sequences of up to {@code tokens} tokens each take. */
    public long kvCacheBytes(int sequences, int tokens) {
        return model.kvBytesPerToken() * sequences * (long) tokens;
    }

    /**
     * How many sequences of up to {@code tokens} tokens (prompt plus answer) fit in the KV cache budget
     * set with {@link Builder#kvCacheBudget(long)} (no budget: as many as the context-sized caches allow,
     * {@code Integer.MAX_VALUE}).
     */
    public int maxSequences(int tokens) {
        if (kvCacheBudget == Long.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.min(Integer.MAX_VALUE, kvCacheBudget / Math.max(1, kvCacheBytes(1, tokens)));
    }

    /**
     * Starts a generation in the batch scheduler and returns at once. {@code cancel(true)} on the future (or
     * {@code orTimeout}, or any other completion) removes the generation from the batch at its next decode
     * step and frees its rows of the KV cache; the other rows go on and generate what they would have. One
     * cancelled before it starts never runs. A prompt refused before any compute (empty, out of vocabulary,
     * too long, over the KV budget) or a closed model fails the future instead of throwing.
     */
    @Override
    public CompletableFuture<GenerationResult> generateAsync(int[] promptIds, GenerationConfig config, TokenListener listener) {
        Objects.requireNonNull(promptIds, "promptIds");
        Objects.requireNonNull(listener, "listener");
        try {
            return submit(List.of(promptIds), config, List.of(listener)).get(0);
        } catch (AsclepiusException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** {@link #generateAsync(int[], GenerationConfig, TokenListener)} for a text prompt, tokenized here first. */
    @Override
    public CompletableFuture<GenerationResult> generateAsync(String prompt, GenerationConfig config, TokenListener listener) {
        return generateAsync(tokenizer.encode(Objects.requireNonNull(prompt, "prompt")), config, listener);
    }

    /** {@link #generateBatch(List, GenerationConfig)} streaming each prompt's text to its own listener. */
    public List<GenerationResult> generateBatch(List<int[]> prompts, GenerationConfig config,
                                                List<TokenListener> listeners) {
        List<CompletableFuture<GenerationResult>> pending = submit(prompts, config, listeners);
        List<GenerationResult> results = new java.util.ArrayList<>();
        for (CompletableFuture<GenerationResult> f : pending) {
            try {
                results.add(f.join());
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        return results;
    }

    /** Checks a batch before any compute and queues it in the scheduler. */
    private List<CompletableFuture<GenerationResult>> submit(List<int[]> prompts, GenerationConfig config,
                                                             List<TokenListener> listeners) {
        checkBatch(prompts, config, listeners);
        return scheduler.submit(List.copyOf(prompts), config, List.copyOf(listeners));
    }

    /** Refuses, before any compute, a batch that is empty, malformed or over the KV cache budget. */
    private void checkBatch(List<int[]> prompts, GenerationConfig config, List<TokenListener> listeners) {
        Objects.requireNonNull(config, "config");
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        int tokens = Math.min(info.contextLength(), longest + config.maxNewTokens());
        int rows = config.isBeamSearch() ? config.numBeams() : prompts.size();   // prompts' beam searches run one by one
        if (rows > maxSequences(tokens)) {
            throw new InvalidInputException(String.format(java.util.Locale.ROOT,
                    "A batch of %d sequences of up to %d tokens needs %.1f MB of KV cache, over this model's budget of "
                    + "%.1f MB (LocalModel.Builder.kvCacheBudget): at most %d fit. Split the batch, lower maxNewTokens%s.",
                    rows, tokens, kvCacheBytes(rows, tokens) / 1e6, kvCacheBudget / 1e6,
                    maxSequences(tokens), config.isBeamSearch() ? " or numBeams (each beam is a sequence)" : ""));
        }
        if (prompts.isEmpty()) {
            throw new InvalidInputException("The batch is empty: pass at least one prompt.");
        }
        if (listeners.size() != prompts.size()) {
            throw new InvalidInputException("Pass one listener per prompt (" + prompts.size() + " prompts, "
                    + listeners.size() + " listeners).");
        }
        for (int[] prompt : prompts) {
            validator.validate(prompt);
        }
        if (closed) {
            throw new ModelClosedException("This model has been closed; load it again to use it.");
        }
    }

    /**
     * Beam search for one prompt ({@code config.numBeams() > 1}), with every hypothesis the search kept and its
     * score; {@link #generate} returns only {@link BeamSearchResult#best()}. Runs on the generation thread
     * between the decode steps of other generations, which wait while it runs.
     */
    public BeamSearchResult beamSearch(int[] promptIds, GenerationConfig config) {
        if (!config.isBeamSearch()) {
            throw new InvalidInputException("beamSearch needs numBeams > 1 (GenerationConfig.Builder.numBeams), got "
                    + config.numBeams() + "; use generate for numBeams 1.");
        }
        checkBatch(List.of(promptIds), config, List.of(TokenListener.NONE));
        return scheduler.call(() -> new dev.asclepius.core.internal.generate.BeamSearch(model, tokenizer, () -> closed)
                .run(promptIds, config, TokenListener.NONE));
    }

    /**
     * The logits ([vocab] floats) the model gives for the token after {@code promptIds}, that is at the
     * last prompt position, as float32. For parity checks against other implementations.
     */
    public float[] logits(int[] promptIds) {
        return scheduler.call(() -> withModel(() -> {
            validator.validate(promptIds);
            PyTorchRuntime.noGrad();
            try (KvCache cache = model.newCache(1, promptIds.length); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                return model.forward(promptIds, 0, cache, false).toType(DataType.FLOAT32, false).toFloatArray();
            }
        }));
    }

    /** The checkpoint's tokenizer: always present. */
    @Override
    public java.util.Optional<TextTokenizer> tokenizer() {
        return java.util.Optional.of(tokenizer);
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    /** Bytes the KV cache takes per token of context (all layers, keys and values). */
    public long kvCacheBytesPerToken() {
        return model.kvBytesPerToken();
    }

    /**
     * Turns the prefix cache ({@link Builder#prefixCache}) on or off for the generations that start from now
     * on; off frees the kept entry at the next idle moment. Results are the same either way: benchmarks turn
     * it off to time prompts computed in full.
     */
    public void prefixCache(boolean enabled) {
        scheduler.prefixCaching(enabled);
    }

    /**
     * What the engine holds and has done so far, read without waiting for a running generation (so the
     * array count includes the caches of generations in flight; {@link #awaitIdle} first for a settled count).
     */
    public Stats stats() {
        return new Stats(scheduler.widestBatch(), scheduler.cachedPrefixTokens(),
                root.isOpen() ? model.manager().getManagedArrays().size() : 0);
    }

    /**
     * Waits until no generation is running or waiting and the generation thread has finished its bookkeeping,
     * or until {@code timeout} has passed, whichever comes first. For a settled {@link #stats()} or a quiet
     * {@link #close()}.
     *
     * @throws InterruptedException if the calling thread is interrupted while it waits
     */
    public void awaitIdle(java.time.Duration timeout) throws InterruptedException {
        scheduler.awaitIdle(Objects.requireNonNull(timeout, "timeout"));
    }

    /** The batch scheduler, for this package's tests (decode step counts, holding the generation thread). */
    Scheduler scheduler() {
        return scheduler;
    }

    /**
     * A read-only snapshot of a model's engine, for monitoring, benchmarks and leak checks.
     *
     * @param widestBatch        the most sequences decoded together in one step since the model was loaded
     * @param cachedPrefixTokens tokens of keys and values the prefix cache holds now (0 when off or empty)
     * @param nativeArrays       native (PyTorch) arrays the model holds now: weights, KV caches, the prefix
     *                           cache; constant across generations once idle (a growing count is a leak)
     */
    public record Stats(int widestBatch, int cachedPrefixTokens, int nativeArrays) {
    }

    private <T> T withModel(java.util.function.Supplier<T> work) {
        if (closed) {
            throw new ModelClosedException("This model has been closed; load it again to use it.");
        }
        lock.lock();
        try {
            if (closed) {
                throw new ModelClosedException("This model was closed while the call waited for its turn.");
            }
            return work.get();
        } catch (ai.djl.engine.EngineException e) {
            throw new EngineException("PyTorch failed during generation: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Frees the weights and the native memory; waits for a running generation to stop at its next step. */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdown();
        lock.lock();
        try {
            if (root.isOpen()) {
                model.close();
                root.close();
                tokenizer.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Options for loading; only the folder is required. */
    public static final class Builder {
        private final Path modelDir;
        private Device device = Device.cpu();
        private ComputeType computeType;
        private OptionalInt threads = OptionalInt.empty();
        private OptionalInt decodeThreads = OptionalInt.empty();
        private long kvCacheBudget = Long.MAX_VALUE;
        private boolean prefixCache = true;
        private LoadListener loadListener = LoadListener.NONE;

        private Builder(Path modelDir) {
            this.modelDir = Objects.requireNonNull(modelDir, "modelDir");
        }

        /** Where to run; default the CPU. */
        public Builder device(Device value) {
            this.device = Objects.requireNonNull(value);
            return this;
        }

        /** Weight and compute type; default f32 on CPU, f16 on GPU. */
        public Builder computeType(ComputeType value) {
            this.computeType = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Most bytes of KV cache one batch may take (default: no limit beyond the context): batches that
         * would need more are refused before any compute, and {@link #generateAll} splits to fit.
         */
        public Builder kvCacheBudget(long bytes) {
            if (bytes <= 0) {
                throw new InvalidInputException("kvCacheBudget must be > 0 bytes, got " + bytes);
            }
            this.kvCacheBudget = bytes;
            return this;
        }

        /**
         * Whether to keep the keys and values of the most recent prompt (or of a batch's shared prefix) so
         * that the next prompt starting with the same tokens (the same note with another question) copies
         * them instead of recomputing them; default on. The entry counts toward {@link #kvCacheBudget}, is
         * freed after 10 s without a generation, and is reported per generation as
         * {@link GenerationResult#cachedPromptTokens()}. Results are the same either way.
         */
        public Builder prefixCache(boolean enabled) {
            this.prefixCache = enabled;
            return this;
        }

        /** Intra-op CPU threads for PyTorch (process-wide); default PyTorch's choice (all cores). */
        public Builder threads(int value) {
            if (value <= 0) {
                throw new InvalidInputException("threads must be > 0, got " + value);
            }
            this.threads = OptionalInt.of(value);
            return this;
        }

        /**
         * CPU threads for decode steps of a single sequence; default the same as {@link #threads}. Such a step
         * reads every weight once per token, so it is bound by memory bandwidth, not arithmetic: where fewer
         * cores already saturate the bandwidth (small VMs: one core does on the 2-core machine in
         * docs/performance.md), more threads only add synchronisation to each of the ~200 small ops of a
         * step. Prompts and batched steps (several sequences decoded together) keep {@link #threads}. Measure
         * with {@code asclepius bench --threads N --decode-threads M}.
         */
        public Builder decodeThreads(int value) {
            if (value <= 0) {
                throw new InvalidInputException("decodeThreads must be > 0, got " + value);
            }
            this.decodeThreads = OptionalInt.of(value);
            return this;
        }

        /**
         * Told the weights' load progress (bytes and tensors read, time taken, an estimate of the time left)
         * after each layer and at the end, on the thread that calls {@link #build()}; default none.
         */
        public Builder loadListener(LoadListener value) {
            this.loadListener = Objects.requireNonNull(value, "loadListener");
            return this;
        }

        /** Loads the model. */
        public LocalModel build() {
            return new LocalModel(this);
        }
    }
}
