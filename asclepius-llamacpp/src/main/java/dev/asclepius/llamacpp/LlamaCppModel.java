package dev.asclepius.llamacpp;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.ComputeType;
import dev.asclepius.core.ContextLengthExceededException;
import dev.asclepius.core.Device;
import dev.asclepius.core.EngineException;
import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.ModelInfo;
import dev.asclepius.core.ModelShape;
import dev.asclepius.core.TextTokenizer;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.hub.HubModels;
import dev.asclepius.llamacpp.internal.GgufFile;
import dev.asclepius.llamacpp.internal.LlamaCppTokenizer;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link LanguageModel} over llama.cpp (through the java-llama.cpp binding) for GGUF files, quantized or
 * not: the way to run Asclepius on a machine without a GPU and without the 27 GB an f32 7B model needs.
 *
 * <p>The prompt is tokenized by this SDK's tokenizer view of the GGUF vocabulary and sent to llama.cpp as
 * token ids, so the Asclepius prompt reaches the model exactly. The binding reports generated text, one
 * piece per token, not token ids: {@link GenerationResult#tokenIds()} holds the vocabulary id whose text is
 * that piece (the normal piece where a byte token would print the same). Generation runs one call at a
 * time per model.
 */
public final class LlamaCppModel implements LanguageModel {
    private static final Field PARAMETERS;

    static {
        try {
            // InferenceParameters only takes a prompt as text; llama.cpp's request also accepts token ids, which
            // keep the prompt byte-exact, so the id array goes into the request map directly.
            PARAMETERS = Class.forName("de.kherud.llama.JsonParameters").getDeclaredField("parameters");
            PARAMETERS.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LlamaModel llama;
    private final LlamaCppTokenizer tokenizer;
    private final ModelInfo info;
    private final int contextLength;
    private final Object lock = new Object();
    private volatile boolean closed;

    private LlamaCppModel(Builder b) {
        Path file = b.file;
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("No GGUF model file " + file.toAbsolutePath()
                    + ": check the path, download a .gguf file, or convert a checkpoint with `asclepius convert`");
        }
        GgufFile gguf = GgufFile.read(file);
        String arch = gguf.string("general.architecture").orElse("?");
        if (!arch.equals("llama")) {
            throw new dev.asclepius.core.UnsupportedModelException(file + ": general.architecture \"" + arch
                    + "\" is not a LLaMA-family model; Asclepius variants are \"llama\"");
        }
        int trained = gguf.integer("llama.context_length").map(Long::intValue).orElse(2048);
        this.contextLength = b.contextLength > 0 ? b.contextLength : trained;
        this.tokenizer = LlamaCppTokenizer.of(gguf);
        int threads = b.threads > 0 ? b.threads : Runtime.getRuntime().availableProcessors();
        ModelParameters params = new ModelParameters().setModel(file.toString()).setThreads(threads)
                .setThreadsBatch(threads).setCtxSize(contextLength).setParallel(1).disableLog();
        if (b.gpuLayers > 0) {
            params.setGpuLayers(b.gpuLayers);
        }
        try {
            this.llama = new LlamaModel(params);
        } catch (RuntimeException e) { // the binding's LlamaException is not public
            throw new CheckpointException("llama.cpp cannot load " + file + ": " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError e) {
            throw new EngineException("The llama.cpp native library does not load on this machine ("
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "): " + e.getMessage(), e);
        }
        tokenizer.attach(llama);
        long hidden = gguf.integer("llama.embedding_length").orElse(0L);
        long layers = gguf.integer("llama.block_count").orElse(0L);
        long heads = gguf.integer("llama.attention.head_count").orElse(0L);
        long kvHeads = gguf.integer("llama.attention.head_count_kv").orElse(heads);
        long inter = gguf.integer("llama.feed_forward_length").orElse(0L);
        long params2 = gguf.tensors().stream().mapToLong(GgufFile.TensorInfo::elements).sum();
        this.info = ModelInfo.local(file, "llama", new ModelShape((int) layers, (int) hidden, (int) heads, (int) kvHeads,
                (int) inter, params2), tokenizer.vocabSize(), contextLength, Device.cpu(), ComputeType.F32);
    }

    public static Builder builder(Path ggufFile) {
        return new Builder(Objects.requireNonNull(ggufFile, "ggufFile"));
    }

    /** {@code file} of hub repository {@code repoId} (e.g. a Q8_0 quantization), downloaded into the hub cache if missing. */
    public static Builder fromHub(HubModels hub, String repoId, String revision, String file) {
        return builder(hub.resolveFile(repoId, revision, file));
    }

    public static LlamaCppModel load(Path ggufFile) {
        return builder(ggufFile).build();
    }

    @Override
    public GenerationResult generate(int[] promptIds, GenerationConfig config, TokenListener listener) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(listener, "listener");
        if (config.isBeamSearch()) {   // refused, not silently run as greedy/sampled text
            throw new InvalidInputException("numBeams(" + config.numBeams() + "): the llama.cpp backend has no beam "
                    + "search. Use numBeams(1) here, or run beam search with a LocalModel on the model folder.");
        }
        if (promptIds.length == 0) {
            throw new InvalidInputException("The prompt is empty: pass at least one token id (BOS)");
        }
        for (int id : promptIds) {
            if (id < 0 || id >= tokenizer.vocabSize()) {
                throw new InvalidInputException("Prompt token id " + id + " is outside the vocabulary (0.."
                        + (tokenizer.vocabSize() - 1) + ")");
            }
        }
        if (promptIds.length >= contextLength) {
            throw new ContextLengthExceededException(promptIds.length, contextLength);
        }
        synchronized (lock) {
            if (closed) {
                throw new ModelClosedException("This llama.cpp model is closed");
            }
            return run(promptIds, config, listener);
        }
    }

    private GenerationResult run(int[] promptIds, GenerationConfig config, TokenListener listener) {
        int room = contextLength - promptIds.length;
        int budget = Math.min(config.maxNewTokens(), room);
        // Prompt caching off: with java-llama.cpp 4.2.0's slot cache on, a request that extends the previous
        // prompt was answered from wrong state now and then (Q8_0 teacher-forced top-1 agreement 7/32 instead
        // of 30/32, seeded samples that did not repeat; 3 failures in 7 runs of LlamaCppModelTest, 0 in 8 off).
        InferenceParameters p = new InferenceParameters("").setNPredict(budget).setCachePrompt(false)
                .setIgnoreEos(config.ignoreEos()).setTemperature(config.temperature()).setMinP(0f)
                .setTopK(config.topK()).setTopP(config.topP()).setRepeatPenalty(config.repetitionPenalty())
                .setRepeatLastN(-1); // the whole context, like the penalty over prompt and output elsewhere
        config.seed().ifPresent(s -> p.setSeed((int) s));
        rawParameters(p).put("prompt", idArray(promptIds));

        StopMatcher stops = new StopMatcher(config.stopStrings());
        List<Integer> ids = new ArrayList<>();
        FinishReason reason = null;
        long start = System.nanoTime();
        long firstToken = -1;
        LlamaIterator it = llama.generate(p).iterator();
        try {
            while (it.hasNext()) {
                LlamaOutput out = it.next();
                if (closed) {
                    it.cancel();
                    throw new ModelClosedException("This llama.cpp model was closed during generation");
                }
                String piece = out.text;
                if (piece.isEmpty() && !it.hasNext()) {
                    break; // the final message carries no token
                }
                if (firstToken < 0) {
                    firstToken = System.nanoTime();
                }
                List<Integer> pieceIds = tokenizer.idsOf(piece);
                int id = pieceIds.get(pieceIds.size() - 1);
                for (int k = 0; k < pieceIds.size() - 1; k++) { // the byte tokens before a completed character
                    ids.add(pieceIds.get(k));
                    listener.onToken("", pieceIds.get(k));
                }
                ids.add(id);
                if (id == tokenizer.eosId() && !config.ignoreEos()) {
                    reason = FinishReason.EOS;
                    it.cancel();
                    break;
                }
                if (config.stopTokenIds().contains(id)) {
                    reason = FinishReason.STOP_TOKEN;
                    it.cancel();
                    break;
                }
                if (ids.size() == pieceIds.size() && tokenizer.stripsLeadingSpace() && piece.startsWith(" ")) {
                    piece = piece.substring(1);
                }
                String delta = stops.accept(piece);
                listener.onToken(delta, id);
                if (stops.stopped()) {
                    reason = FinishReason.STOP_STRING;
                    it.cancel();
                    break;
                }
            }
        } catch (ModelClosedException e) {
            throw e;
        } catch (RuntimeException e) { // the binding's LlamaException is not public
            throw new EngineException("llama.cpp failed while generating: " + e.getMessage(), e);
        }
        long end = System.nanoTime();
        if (reason == null) {
            if (ids.size() >= config.maxNewTokens()) {
                reason = FinishReason.MAX_TOKENS;
            } else if (ids.size() >= room) {
                reason = FinishReason.CONTEXT_FULL;
            } else {
                reason = FinishReason.EOS; // llama.cpp ended on an end-of-generation token it does not report
            }
        }
        String text = stops.finish();
        if (reason != FinishReason.STOP_STRING && !stops.pending().isEmpty()) {
            listener.onToken(stops.pending(), ids.isEmpty() ? tokenizer.eosId() : ids.get(ids.size() - 1));
        }
        long first = firstToken < 0 ? end : firstToken;
        return new GenerationResult(text, ids, reason, promptIds.length, Duration.ofNanos(first - start),
                Duration.ofNanos(end - first), Math.max(0, ids.size() - 1));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> rawParameters(InferenceParameters p) {
        try {
            return (Map<String, String>) PARAMETERS.get(p);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String idArray(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length * 6).append('[');
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ids[i]);
        }
        return sb.append(']').toString();
    }

    /** The GGUF file's tokenizer: always present. */
    @Override
    public java.util.Optional<TextTokenizer> tokenizer() {
        return java.util.Optional.of(tokenizer);
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            if (!tokenizer.detached()) {
                tokenizer.detach();
                llama.close();
            }
        }
    }

    /** Holds back text that may start a stop string, and cuts the text at the first stop string. */
    private static final class StopMatcher {
        private final List<String> stops;
        private final StringBuilder emitted = new StringBuilder();
        private final StringBuilder pending = new StringBuilder();
        private boolean stopped;

        StopMatcher(List<String> stops) {
            this.stops = stops;
        }

        String accept(String piece) {
            pending.append(piece);
            String all = emitted.toString() + pending;
            int cut = -1;
            for (String s : stops) {
                int i = all.indexOf(s, Math.max(0, emitted.length() - s.length()));
                if (i >= 0 && (cut < 0 || i < cut)) {
                    cut = i;
                }
            }
            if (cut >= 0) {
                stopped = true;
                String delta = all.substring(emitted.length(), Math.max(emitted.length(), cut));
                emitted.append(delta);
                pending.setLength(0);
                return delta;
            }
            int hold = 0;
            for (String s : stops) {
                for (int k = Math.min(s.length() - 1, all.length()); k > hold; k--) {
                    if (all.endsWith(s.substring(0, k))) {
                        hold = k;
                        break;
                    }
                }
            }
            hold = Math.min(hold, pending.length());
            String delta = pending.substring(0, pending.length() - hold);
            emitted.append(delta);
            pending.delete(0, delta.length());
            return delta;
        }

        boolean stopped() {
            return stopped;
        }

        String pending() {
            return pending.toString();
        }

        String finish() {
            return stopped ? emitted.toString() : emitted.toString() + pending;
        }
    }

    /** Load settings; all optional. */
    public static final class Builder {
        private final Path file;
        private int threads;
        private int contextLength;
        private int gpuLayers;

        private Builder(Path file) {
            this.file = file;
        }

        /** CPU threads for prompt and decode (default: all cores). */
        public Builder threads(int value) {
            if (value <= 0) {
                throw new InvalidInputException("threads must be > 0, got " + value);
            }
            this.threads = value;
            return this;
        }

        /** Context window in tokens (default: the model's trained context from the GGUF metadata). */
        public Builder contextLength(int value) {
            if (value <= 0) {
                throw new InvalidInputException("contextLength must be > 0, got " + value);
            }
            this.contextLength = value;
            return this;
        }

        /**
         * Layers to offload to a GPU. The natives bundled in java-llama.cpp 4.2.0 are CPU builds, where this
         * has no effect; a GPU build of the binding on the class path uses it.
         */
        public Builder gpuLayers(int value) {
            if (value < 0) {
                throw new InvalidInputException("gpuLayers must be >= 0, got " + value);
            }
            this.gpuLayers = value;
            return this;
        }

        public LlamaCppModel build() {
            return new LlamaCppModel(this);
        }
    }
}
