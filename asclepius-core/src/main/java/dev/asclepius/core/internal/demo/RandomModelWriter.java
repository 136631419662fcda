package dev.asclepius.core.internal.demo;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.internal.checkpoint.SafetensorsWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a complete HuggingFace-style model folder with random weights: {@code config.json}, the LLaMA
 * tokenizer files (bundled with this jar) and safetensors weights, streamed so multi-GB benchmark models
 * never sit in memory. The weights are meaningless; the files are real.
 */
public final class RandomModelWriter {
    private static final String TOKENIZER_RESOURCE = "/dev/asclepius/core/demo/llama-tokenizer/";
    private static final String[] TOKENIZER_FILES = {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"};

    private RandomModelWriter() {
    }

    public static void write(Path dir, RandomModelSpec spec) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), configJson(spec), StandardCharsets.UTF_8);
            for (String name : TOKENIZER_FILES) {
                try (InputStream in = RandomModelWriter.class.getResourceAsStream(TOKENIZER_RESOURCE + name)) {
                    if (in == null) {
                        throw new IllegalStateException("bundled tokenizer resource missing: " + name);
                    }
                    Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("Cannot write the random model to " + dir + ": " + e.getMessage(), e);
        }
        List<SafetensorsWriter.Entry> entries = entries(spec);
        if (spec.maxShardBytes() > 0) {
            SafetensorsWriter.writeSharded(dir, entries, spec.maxShardBytes());
        } else {
            SafetensorsWriter.write(dir.resolve("model.safetensors"), entries, Map.of("format", "pt"));
        }
    }

    /** HF tensor names and shapes, in checkpoint order. */
    public static List<SafetensorsWriter.Entry> entries(RandomModelSpec spec) {
        List<SafetensorsWriter.Entry> out = new ArrayList<>();
        int h = spec.hiddenSize();
        long q = (long) spec.heads() * spec.headDim();
        long kv = (long) spec.kvHeads() * spec.headDim();
        int inter = spec.intermediateSize();
        add(out, spec, "model.embed_tokens.weight", Kind.EMBEDDING, spec.vocabSize(), h);
        for (int i = 0; i < spec.layers(); i++) {
            String p = "model.layers." + i + ".";
            add(out, spec, p + "input_layernorm.weight", Kind.NORM, h);
            add(out, spec, p + "self_attn.q_proj.weight", Kind.PROJECTION, q, h);
            add(out, spec, p + "self_attn.k_proj.weight", Kind.PROJECTION, kv, h);
            add(out, spec, p + "self_attn.v_proj.weight", Kind.PROJECTION, kv, h);
            add(out, spec, p + "self_attn.o_proj.weight", Kind.PROJECTION, h, q);
            add(out, spec, p + "post_attention_layernorm.weight", Kind.NORM, h);
            add(out, spec, p + "mlp.gate_proj.weight", Kind.PROJECTION, inter, h);
            add(out, spec, p + "mlp.up_proj.weight", Kind.PROJECTION, inter, h);
            add(out, spec, p + "mlp.down_proj.weight", Kind.PROJECTION, h, inter);
        }
        add(out, spec, "model.norm.weight", Kind.NORM, h);
        if (!spec.tieWordEmbeddings()) {
            add(out, spec, "lm_head.weight", Kind.PROJECTION, spec.vocabSize(), h);
        }
        return out;
    }

    private enum Kind { EMBEDDING, NORM, PROJECTION }

    private static void add(List<SafetensorsWriter.Entry> out, RandomModelSpec spec, String name, Kind kind, long... shape) {
        long stream = spec.seed() * 0x9E3779B97F4A7C15L + out.size() * 0xBF58476D1CE4E5B9L;
        // Scales chosen so random logits are neither flat nor saturated: fan-in scaled projections,
        // norm gains near (not at) 1 so a skipped gain is visible, unit-ish embeddings.
        double scale = switch (kind) {
            case EMBEDDING -> 1.0;
            case NORM -> 0.1;
            case PROJECTION -> 1.0 / Math.sqrt(shape[shape.length - 1]);
        };
        double offset = kind == Kind.NORM ? 1.0 : 0.0;
        out.add(new SafetensorsWriter.Entry(name, spec.storage(), shape,
                index -> (float) (offset + scale * uniform(stream, index))));
    }

    /** A deterministic value in [-sqrt(3), sqrt(3)) (unit variance) for element {@code index} of a stream. */
    static double uniform(long stream, long index) {
        long z = stream + index * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return ((z >>> 11) * 0x1.0p-53 * 2 - 1) * 1.7320508075688772;
    }

    static String configJson(RandomModelSpec spec) {
        JsonObject o = new JsonObject();
        o.addProperty("_comment", "random weights written by asclepius RandomModelWriter: the text it generates is meaningless");
        o.add("architectures", new GsonBuilder().create().toJsonTree(List.of(
                spec.modelType().equals("mistral") ? "MistralForCausalLM" : "LlamaForCausalLM")));
        o.addProperty("model_type", spec.modelType());
        o.addProperty("bos_token_id", 1);
        o.addProperty("eos_token_id", 2);
        o.addProperty("hidden_act", "silu");
        o.addProperty("hidden_size", spec.hiddenSize());
        o.addProperty("intermediate_size", spec.intermediateSize());
        o.addProperty("max_position_embeddings", spec.contextLength());
        o.addProperty("num_attention_heads", spec.heads());
        o.addProperty("num_hidden_layers", spec.layers());
        o.addProperty("num_key_value_heads", spec.kvHeads());
        o.addProperty("rms_norm_eps", 1e-6);
        o.addProperty("rope_theta", 10000.0);
        o.addProperty("tie_word_embeddings", spec.tieWordEmbeddings());
        o.addProperty("torch_dtype", switch (spec.storage()) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
        });
        o.addProperty("vocab_size", spec.vocabSize());
        return new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
    }
}
