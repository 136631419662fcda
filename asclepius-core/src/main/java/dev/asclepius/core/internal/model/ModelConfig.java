package dev.asclepius.core.internal.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.UnsupportedModelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The architecture described by a HuggingFace {@code config.json}, for {@code model_type} {@code llama}
 * and {@code mistral}. Optional fields take HuggingFace's defaults; required ones are named when missing.
 */
public record ModelConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        float rmsNormEps,
        float ropeTheta,
        boolean tieWordEmbeddings,
        int contextLength) {

    private static final Set<String> SUPPORTED_TYPES = Set.of("llama", "mistral");

    public ModelConfig {
        check(heads % kvHeads == 0, "num_attention_heads (" + heads + ") must be a multiple of num_key_value_heads (" + kvHeads + ")");
        check(headDim % 2 == 0, "head dimension (" + headDim + ") must be even for rotary embeddings");
        check(vocabSize > 0 && hiddenSize > 0 && intermediateSize > 0 && layers > 0 && heads > 0 && kvHeads > 0
                && contextLength > 0, "sizes must be positive");
    }

    /** Query heads that share one key/value head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    /** Parameter count implied by the shapes. */
    public long parameters() {
        long attn = (long) hiddenSize * headDim * (heads + 2L * kvHeads) + (long) heads * headDim * hiddenSize;
        long mlp = 3L * hiddenSize * intermediateSize;
        long perLayer = attn + mlp + 2L * hiddenSize;
        long embed = (long) vocabSize * hiddenSize;
        return layers * perLayer + embed + (tieWordEmbeddings ? 0 : embed) + hiddenSize;
    }

    public static ModelConfig read(Path modelDir) {
        Path file = modelDir.resolve("config.json");
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("No config.json in " + modelDir.toAbsolutePath()
                    + ": point the model path at a HuggingFace model folder (config.json, tokenizer.json, weights).");
        } catch (IOException e) {
            throw new CheckpointException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(JsonParser.parseString(json).getAsJsonObject(), file);
        } catch (IllegalStateException | com.google.gson.JsonParseException e) {
            throw new CheckpointException(file + " is not a valid JSON object: " + e.getMessage(), e);
        }
    }

    /** Below 2^31: token ids are Java ints and the embedding is indexed by them. */
    static final long MAX_VOCAB = Integer.MAX_VALUE;
    /** Far above any real model (LLaMA-65B: 8192 hidden, 22016 intermediate, 80 layers); a bound, not a limit. */
    static final long MAX_WIDTH = 1L << 20;
    static final long MAX_LAYERS = 4096;

    static ModelConfig parse(JsonObject o, Path file) {
        String type = optString(o, "model_type", file);
        if (type == null) {
            throw new UnsupportedModelException(file + ": field 'model_type' is missing; expected \"llama\" or \"mistral\".");
        }
        if (!SUPPORTED_TYPES.contains(type)) {
            throw new UnsupportedModelException(file + ": model_type \"" + type
                    + "\" is not supported; this SDK runs \"llama\" and \"mistral\" checkpoints (all Asclepius variants).");
        }
        String act = optString(o, "hidden_act", file);
        if (act != null && !act.equals("silu")) {
            throw new UnsupportedModelException(file + ": hidden_act \"" + act + "\" is not supported (only silu).");
        }
        JsonElement ropeScaling = o.get("rope_scaling");
        if (ropeScaling != null && !ropeScaling.isJsonNull()) {
            throw new UnsupportedModelException(file + ": rope_scaling " + ropeScaling + " is not supported (only plain RoPE).");
        }
        if (optBoolean(o, "attention_bias", false, file)) {
            throw new UnsupportedModelException(file + ": attention_bias=true is not supported.");
        }
        int vocab = requiredInt(o, "vocab_size", 1, MAX_VOCAB, file);
        int hidden = requiredInt(o, "hidden_size", 1, MAX_WIDTH, file);
        int intermediate = requiredInt(o, "intermediate_size", 1, MAX_WIDTH, file);
        int layers = requiredInt(o, "num_hidden_layers", 1, MAX_LAYERS, file);
        int heads = requiredInt(o, "num_attention_heads", 1, hidden, file);
        int kvHeads = optInt(o, "num_key_value_heads", heads, 1, heads, file);
        if (heads % kvHeads != 0) {
            throw invalid(file, "num_key_value_heads", kvHeads + " does not divide num_attention_heads (" + heads
                    + "); grouped-query attention shares each key/value head among a whole number of query heads."
                    + " Use a divisor of " + heads + " (LLaMA: equal to num_attention_heads)");
        }
        int headDim;
        if (o.has("head_dim") && !o.get("head_dim").isJsonNull()) {
            headDim = requiredInt(o, "head_dim", 2, MAX_WIDTH, file);
        } else {
            // Without head_dim the head width is hidden / heads, which must then be exact.
            if (hidden % heads != 0) {
                throw invalid(file, "num_attention_heads", heads + " does not divide hidden_size (" + hidden
                        + "); use a divisor of hidden_size (LLaMA-7B: 32 heads for 4096), or set head_dim");
            }
            headDim = hidden / heads;
        }
        if (headDim % 2 != 0) {
            throw invalid(file, "head_dim", "the head width " + headDim + " (hidden_size / num_attention_heads unless"
                    + " head_dim is set) is odd; rotary embeddings rotate pairs of dimensions, so it must be even");
        }
        int context = optInt(o, "max_position_embeddings", 2048, 1, Integer.MAX_VALUE, file);
        // Mistral's sliding window equals full attention while the sequence fits in the window; cap the
        // context there rather than silently computing a different attention beyond it.
        JsonElement window = o.get("sliding_window");
        if (window != null && !window.isJsonNull()) {
            context = Math.min(context, requiredInt(o, "sliding_window", 1, Integer.MAX_VALUE, file));
        }
        checkRopeTablesFit(file, context, headDim);
        float eps = optPositiveFloat(o, "rms_norm_eps", 1e-6f, file);
        float theta = optPositiveFloat(o, "rope_theta", 10000f, file);
        boolean tie = optBoolean(o, "tie_word_embeddings", false, file);
        try {
            return new ModelConfig(type, vocab, hidden, intermediate, layers, heads, kvHeads, headDim, eps, theta, tie,
                    context);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedModelException(file + ": " + e.getMessage());
        }
    }

    /**
     * The RoPE tables hold cos and sin for every position ({@code 2 * positions * head_dim} floats, built in
     * Java arrays, then copied to the engine): a position count that cannot be allocated is refused here,
     * naming the field, instead of an OutOfMemoryError or NegativeArraySizeException at load.
     */
    private static void checkRopeTablesFit(Path file, int context, int headDim) {
        long elements = (long) context * headDim;
        long bytes = 2 * 2 * elements * Float.BYTES;   // cos + sin, Java arrays + engine copies
        long budget = Runtime.getRuntime().maxMemory() / 2;
        if (elements > Integer.MAX_VALUE - 8 || bytes > budget) {
            throw invalid(file, "max_position_embeddings", context + " positions need " + (bytes >> 20)
                    + " MiB of rotary tables (head width " + headDim + "), more than this JVM can allocate ("
                    + (budget >> 20) + " MiB budget, half of -Xmx). Set it to the context the model was trained"
                    + " for (Asclepius: 2048 or 4096), or raise -Xmx");
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static CheckpointException invalid(Path file, String field, String why) {
        return new CheckpointException(file + ": field '" + field + "' is invalid: " + why + ".");
    }

    private static String optString(JsonObject o, String field, Path file) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw invalid(file, field, "it must be a string, got " + abbreviate(e));
        }
        return e.getAsString();
    }

    private static boolean optBoolean(JsonObject o, String field, boolean fallback, Path file) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw invalid(file, field, "it must be true or false, got " + abbreviate(e));
        }
        return e.getAsBoolean();
    }

    private static int optInt(JsonObject o, String field, int fallback, long min, long max, Path file) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? fallback : requiredInt(o, field, min, max, file);
    }

    /**
     * An exact integer in [min, max]: Gson's getAsInt would turn 64.9 into 64 and 2^32 + 32000 into 32000,
     * and accept the string "64"; a config.json written by HuggingFace has plain JSON integers.
     */
    private static int requiredInt(JsonObject o, String field, long min, long max, Path file) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new CheckpointException(file + ": required field '" + field + "' is missing.");
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw invalid(file, field, "it must be an integer, got " + abbreviate(e));
        }
        long value;
        try {
            value = e.getAsBigDecimal().longValueExact();
        } catch (ArithmeticException | NumberFormatException notExact) {
            throw invalid(file, field, "it must be a whole number, got " + abbreviate(e));
        }
        if (value < min || value > max) {
            throw invalid(file, field, value + " is out of range; it must be between " + min + " and " + max);
        }
        return (int) value;
    }

    /** A finite positive number that stays positive as a float (1e-50 would round to 0 and divide by zero). */
    private static float optPositiveFloat(JsonObject o, String field, float fallback, Path file) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw invalid(file, field, "it must be a number, got " + abbreviate(e) + " (e.g. 1e-06)");
        }
        double d;
        try {
            d = e.getAsDouble();
        } catch (NumberFormatException notANumber) {
            throw invalid(file, field, "it must be a number, got " + abbreviate(e));
        }
        float f = (float) d;
        if (!Float.isFinite(f) || !(f > 0f)) {
            throw invalid(file, field, "it must be a finite positive number (as a 32-bit float), got " + abbreviate(e));
        }
        return f;
    }

    private static String abbreviate(JsonElement e) {
        String s = e.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
