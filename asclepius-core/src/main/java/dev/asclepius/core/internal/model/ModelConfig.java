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

    static ModelConfig parse(JsonObject o, Path file) {
        String type = optString(o, "model_type");
        if (type == null) {
            throw new UnsupportedModelException(file + ": field 'model_type' is missing; expected \"llama\" or \"mistral\".");
        }
        if (!SUPPORTED_TYPES.contains(type)) {
            throw new UnsupportedModelException(file + ": model_type \"" + type
                    + "\" is not supported; this SDK runs \"llama\" and \"mistral\" checkpoints (all Asclepius variants).");
        }
        String act = optString(o, "hidden_act");
        if (act != null && !act.equals("silu")) {
            throw new UnsupportedModelException(file + ": hidden_act \"" + act + "\" is not supported (only silu).");
        }
        JsonElement ropeScaling = o.get("rope_scaling");
        if (ropeScaling != null && !ropeScaling.isJsonNull()) {
            throw new UnsupportedModelException(file + ": rope_scaling " + ropeScaling + " is not supported (only plain RoPE).");
        }
        if (o.has("attention_bias") && o.get("attention_bias").getAsBoolean()) {
            throw new UnsupportedModelException(file + ": attention_bias=true is not supported.");
        }
        int hidden = requiredInt(o, "hidden_size", file);
        int heads = requiredInt(o, "num_attention_heads", file);
        int kvHeads = optInt(o, "num_key_value_heads", heads);
        int headDim = optInt(o, "head_dim", hidden / heads);
        int context = optInt(o, "max_position_embeddings", 2048);
        // Mistral's sliding window equals full attention while the sequence fits in the window; cap the
        // context there rather than silently computing a different attention beyond it.
        JsonElement window = o.get("sliding_window");
        if (window != null && !window.isJsonNull() && window.getAsInt() < context) {
            context = window.getAsInt();
        }
        float eps = o.has("rms_norm_eps") ? o.get("rms_norm_eps").getAsFloat() : 1e-6f;
        float theta = o.has("rope_theta") ? o.get("rope_theta").getAsFloat() : 10000f;
        boolean tie = o.has("tie_word_embeddings") && o.get("tie_word_embeddings").getAsBoolean();
        try {
            return new ModelConfig(type, requiredInt(o, "vocab_size", file), hidden,
                    requiredInt(o, "intermediate_size", file), requiredInt(o, "num_hidden_layers", file),
                    heads, kvHeads, headDim, eps, theta, tie, context);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedModelException(file + ": " + e.getMessage());
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static String optString(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static int optInt(JsonObject o, String field, int fallback) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? fallback : e.getAsInt();
    }

    private static int requiredInt(JsonObject o, String field, Path file) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new CheckpointException(file + ": required field '" + field + "' is missing.");
        }
        try {
            return e.getAsInt();
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException ex) {
            throw new CheckpointException(file + ": field '" + field + "' must be an integer, got " + e + ".");
        }
    }
}
