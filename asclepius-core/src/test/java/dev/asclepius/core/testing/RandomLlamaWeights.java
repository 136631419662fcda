package dev.asclepius.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deterministic random LLaMA checkpoints (HF names, HF {@code [out, in]} shapes) plus a matching
 * {@code config.json}, for tests that need a model but cannot ship real weights.
 *
 * <p>Scales are chosen so a test can actually see bugs: logits are neither saturated nor ~0, and norm
 * weights differ from 1 by enough that forgetting to multiply by them changes the output.
 */
public final class RandomLlamaWeights {

    /** Default {@code max_position_embeddings}: LLaMA-1's 2048, what Asclepius-7B/13B were trained with. */
    public static final int DEFAULT_MAX_POSITION_EMBEDDINGS = 2048;

    private RandomLlamaWeights() {
    }

    /** All tensor names of the checkpoint in HF order; {@code lm_head.weight} is omitted when tied. */
    public static List<String> names(ReferenceConfig cfg) {
        List<String> names = new ArrayList<>();
        names.add("model.embed_tokens.weight");
        for (int i = 0; i < cfg.layers(); i++) {
            String p = "model.layers." + i + ".";
            names.add(p + "input_layernorm.weight");
            names.add(p + "self_attn.q_proj.weight");
            names.add(p + "self_attn.k_proj.weight");
            names.add(p + "self_attn.v_proj.weight");
            names.add(p + "self_attn.o_proj.weight");
            names.add(p + "post_attention_layernorm.weight");
            names.add(p + "mlp.gate_proj.weight");
            names.add(p + "mlp.up_proj.weight");
            names.add(p + "mlp.down_proj.weight");
        }
        names.add("model.norm.weight");
        if (!cfg.tieWordEmbeddings()) {
            names.add("lm_head.weight");
        }
        return Collections.unmodifiableList(names);
    }

    /**
     * The HF tensor shape of {@code name}: {@code [out, in]} for linear layers and the embedding,
     * {@code [hidden]} for norms. {@code lm_head.weight} has its shape even when tied.
     *
     * @throws IllegalArgumentException for a name that is not part of this architecture
     */
    public static long[] shapeOf(ReferenceConfig cfg, String name) {
        long hidden = cfg.hiddenSize();
        long qDim = (long) cfg.heads() * cfg.headDim();
        long kvDim = (long) cfg.kvHeads() * cfg.headDim();
        long inter = cfg.intermediateSize();
        long vocab = cfg.vocabSize();
        switch (name) {
            case "model.embed_tokens.weight":
            case "lm_head.weight":
                return new long[] {vocab, hidden};
            case "model.norm.weight":
                return new long[] {hidden};
            default:
                break;
        }
        String suffix = layerSuffix(cfg, name);
        switch (suffix) {
            case "input_layernorm.weight":
            case "post_attention_layernorm.weight":
                return new long[] {hidden};
            case "self_attn.q_proj.weight":
                return new long[] {qDim, hidden};
            case "self_attn.k_proj.weight":
            case "self_attn.v_proj.weight":
                return new long[] {kvDim, hidden};
            case "self_attn.o_proj.weight":
                return new long[] {hidden, qDim};
            case "mlp.gate_proj.weight":
            case "mlp.up_proj.weight":
                return new long[] {inter, hidden};
            case "mlp.down_proj.weight":
                return new long[] {hidden, inter};
            default:
                throw new IllegalArgumentException("not a LLaMA weight name: " + name);
        }
    }

    /**
     * A full random checkpoint, one flat array per name of {@link #names}, insertion-ordered.
     *
     * <p>Each tensor has its own random stream derived from (seed, name), so a tensor's values do not
     * depend on which other tensors exist: the tied and untied variants of one config and seed share
     * their embedding, and adding a layer leaves the earlier layers unchanged.
     */
    public static Map<String, float[]> generate(ReferenceConfig cfg, long seed) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (String name : names(cfg)) {
            long[] shape = shapeOf(cfg, name);
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
            float[] values = new float[Math.toIntExact(numel(shape))];
            if (shape.length == 1) {
                // Norm weights uniform in [0.9, 1.1]: near the trained regime, but a missing "* weight"
                // shifts every activation by several percent.
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (0.9 + 0.2 * random.nextDouble());
                }
            } else {
                double std = name.equals("model.embed_tokens.weight") ? 0.5 : projectionStd(shape[1]);
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (std * gaussian(random));
                }
            }
            weights.put(name, values);
        }
        return weights;
    }

    /** Number of elements of a shape. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** {@link #writeConfigJson(ReferenceConfig, Path, String, int)} with max_position_embeddings 2048. */
    public static void writeConfigJson(ReferenceConfig cfg, Path dir, String modelType) {
        writeConfigJson(cfg, dir, modelType, DEFAULT_MAX_POSITION_EMBEDDINGS);
    }

    /** {@link #writeConfigJson(ReferenceConfig, Path, String, int, String)} with torch_dtype float32. */
    public static void writeConfigJson(ReferenceConfig cfg, Path dir, String modelType, int maxPositionEmbeddings) {
        writeConfigJson(cfg, dir, modelType, maxPositionEmbeddings, "float32");
    }

    /**
     * Writes {@code dir/config.json} as HF {@code save_pretrained} would for this architecture
     * (creating {@code dir} if needed).
     *
     * @param modelType  {@code "llama"} or {@code "mistral"}; Mistral gets {@code sliding_window: null}
     * @param torchDtype e.g. {@code "float32"}, {@code "float16"}, {@code "bfloat16"}
     */
    public static void writeConfigJson(ReferenceConfig cfg, Path dir, String modelType, int maxPositionEmbeddings,
                                       String torchDtype) {
        String architecture;
        switch (modelType) {
            case "llama":
                architecture = "LlamaForCausalLM";
                break;
            case "mistral":
                architecture = "MistralForCausalLM";
                break;
            default:
                throw new IllegalArgumentException("modelType must be llama or mistral, got " + modelType);
        }
        if (maxPositionEmbeddings <= 0) {
            throw new IllegalArgumentException("maxPositionEmbeddings must be > 0, got " + maxPositionEmbeddings);
        }
        StringBuilder json = new StringBuilder();
        json.append("{\n");
        field(json, "architectures", "[\"" + architecture + "\"]");
        field(json, "attention_bias", "false");
        field(json, "bos_token_id", "1");
        field(json, "eos_token_id", "2");
        field(json, "head_dim", Integer.toString(cfg.headDim()));
        field(json, "hidden_act", "\"silu\"");
        field(json, "hidden_size", Integer.toString(cfg.hiddenSize()));
        field(json, "initializer_range", "0.02");
        field(json, "intermediate_size", Integer.toString(cfg.intermediateSize()));
        field(json, "max_position_embeddings", Integer.toString(maxPositionEmbeddings));
        field(json, "model_type", "\"" + modelType + "\"");
        field(json, "num_attention_heads", Integer.toString(cfg.heads()));
        field(json, "num_hidden_layers", Integer.toString(cfg.layers()));
        field(json, "num_key_value_heads", Integer.toString(cfg.kvHeads()));
        field(json, "rms_norm_eps", number(cfg.rmsNormEps()));
        field(json, "rope_theta", number(cfg.ropeTheta()));
        if (modelType.equals("mistral")) {
            field(json, "sliding_window", "null");
        }
        field(json, "tie_word_embeddings", Boolean.toString(cfg.tieWordEmbeddings()));
        field(json, "torch_dtype", "\"" + torchDtype + "\"");
        field(json, "transformers_version", "\"4.44.2\"");
        field(json, "use_cache", "true");
        field(json, "vocab_size", Integer.toString(cfg.vocabSize()));
        json.setLength(json.length() - 2); // drop the last ",\n"
        json.append("\n}\n");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), json, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write config.json to " + dir, e);
        }
    }

    /**
     * Std of a projection with {@code in} inputs: 0.5/sqrt(in) keeps each projection's output at
     * about half its input's scale, clamped to [0.02, 0.1] (0.02 being HF's initializer_range) so
     * tiny test models do not saturate softmax and large ones do not vanish.
     */
    private static double projectionStd(long in) {
        return Math.min(0.1, Math.max(0.02, 0.5 / Math.sqrt(in)));
    }

    /**
     * Standard normal by Box-Muller on nextDouble(), rather than RandomGenerator.nextGaussian(), whose
     * algorithm is not pinned by the spec: generated checkpoints must be identical on every JDK.
     */
    private static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble(); // (0, 1]: log is finite
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    private static String layerSuffix(ReferenceConfig cfg, String name) {
        String prefix = "model.layers.";
        if (!name.startsWith(prefix)) {
            throw new IllegalArgumentException("not a LLaMA weight name: " + name);
        }
        int dot = name.indexOf('.', prefix.length());
        if (dot < 0) {
            throw new IllegalArgumentException("not a LLaMA weight name: " + name);
        }
        int layer;
        try {
            layer = Integer.parseInt(name.substring(prefix.length(), dot));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a LLaMA weight name: " + name, e);
        }
        // Reject "model.layers.01.*" too: HF never zero-pads, so such a name is a typo in a test.
        if (layer < 0 || layer >= cfg.layers() || !Integer.toString(layer).equals(name.substring(prefix.length(), dot))) {
            throw new IllegalArgumentException("layer " + layer + " out of range in " + name);
        }
        return name.substring(dot + 1);
    }

    private static void field(StringBuilder json, String key, String rawValue) {
        json.append("  \"").append(key).append("\": ").append(rawValue).append(",\n");
    }

    /** JSON number: integral values keep a ".0" like Python's repr of a float; others use Java's repr. */
    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return Double.toString(value); // e.g. 1.0E-5: valid JSON
    }
}
