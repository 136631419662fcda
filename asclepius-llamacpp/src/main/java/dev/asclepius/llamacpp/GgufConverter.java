package dev.asclepius.llamacpp;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.UnsupportedModelException;
import dev.asclepius.core.internal.checkpoint.Checkpoint;
import dev.asclepius.core.internal.checkpoint.StoredTensor;
import dev.asclepius.core.internal.model.ModelConfig;
import dev.asclepius.core.internal.tokenizer.HfTextTokenizer;
import dev.asclepius.llamacpp.internal.GgmlType;
import dev.asclepius.llamacpp.internal.GgufWriter;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Converts a Hugging Face LLaMA/Mistral checkpoint folder (any format the SDK loads: {@code .bin} shards,
 * safetensors, F32/F16/BF16) to a GGUF v3 file llama.cpp runs: architecture metadata, the tokenizer, and
 * the weights in F32, F16, Q8_0 or Q4_0. Tensors stream one row at a time from the memory-mapped checkpoint
 * to the file, so converting a 13B model needs little more memory than one row.
 *
 * <p>Two things differ from the checkpoint on purpose: the query and key projections' rows are permuted
 * from Hugging Face's rotate-half RoPE layout to the interleaved-pair layout llama.cpp's LLaMA graph uses,
 * and 1-D norm gains stay F32 whatever the requested type (as llama.cpp's own converter does).
 */
public final class GgufConverter {
    /** Called after each tensor with the bytes written so far and the total. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (tensor, done, total) -> { };

        void progress(String tensor, long doneBytes, long totalBytes);
    }

    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x[0-9A-Fa-f]{2}>");
    // llama.cpp token types
    private static final int NORMAL = 1;
    private static final int UNKNOWN = 2;
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;
    private static final int UNUSED = 5;
    private static final int BYTE = 6;

    private GgufConverter() {
    }

    /** Converts {@code modelDir} to {@code out} in {@code type}. */
    public static ConversionReport convert(Path modelDir, Path out, GgufType type, Listener listener) {
        ModelConfig config = ModelConfig.read(modelDir);
        JsonObject tokenizerJson = readJson(modelDir.resolve("tokenizer.json"),
                "the converter needs tokenizer.json (the fast-tokenizer file every Asclepius repository has)");
        int bos;
        int eos;
        boolean addBos;
        try (HfTextTokenizer tok = HfTextTokenizer.load(modelDir)) {
            bos = tok.bosId();
            eos = tok.eosId();
            addBos = tok.addsBos();
        }
        GgufWriter w = new GgufWriter();
        String name = modelDir.toAbsolutePath().normalize().getFileName() == null ? "model"
                : modelDir.toAbsolutePath().normalize().getFileName().toString();
        w.string("general.architecture", "llama")
                .string("general.name", name)
                .u32("general.file_type", type.fileType())
                .u32("general.quantization_version", 2)
                .u32("llama.context_length", config.contextLength())
                .u32("llama.embedding_length", config.hiddenSize())
                .u32("llama.block_count", config.layers())
                .u32("llama.feed_forward_length", config.intermediateSize())
                .u32("llama.attention.head_count", config.heads())
                .u32("llama.attention.head_count_kv", config.kvHeads())
                .u32("llama.rope.dimension_count", config.headDim())
                .f32("llama.rope.freq_base", config.ropeTheta())
                .f32("llama.attention.layer_norm_rms_epsilon", config.rmsNormEps())
                .u32("llama.vocab_size", config.vocabSize());
        if (config.headDim() * config.heads() != config.hiddenSize()) {
            w.u32("llama.attention.key_length", config.headDim()).u32("llama.attention.value_length", config.headDim());
        }
        writeVocab(w, tokenizerJson, config, modelDir);
        w.u32("tokenizer.ggml.bos_token_id", bos)
                .u32("tokenizer.ggml.eos_token_id", eos)
                .bool("tokenizer.ggml.add_bos_token", addBos)
                .bool("tokenizer.ggml.add_eos_token", false);

        List<String> keptHigher = new ArrayList<>();
        Map<String, String> sourceOf = new HashMap<>();
        try (Checkpoint ckpt = Checkpoint.open(modelDir)) {
            int h = config.hiddenSize();
            int hd = config.headDim();
            long q = (long) config.heads() * hd;
            long kv = (long) config.kvHeads() * hd;
            long inter = config.intermediateSize();
            add(w, ckpt, sourceOf, keptHigher, type, "model.embed_tokens.weight", "token_embd.weight",
                    new long[] {config.vocabSize(), h}, 0, hd);
            for (int i = 0; i < config.layers(); i++) {
                String p = "model.layers." + i + ".";
                String b = "blk." + i + ".";
                add(w, ckpt, sourceOf, keptHigher, type, p + "input_layernorm.weight", b + "attn_norm.weight", new long[] {h}, 0, hd);
                add(w, ckpt, sourceOf, keptHigher, type, p + "self_attn.q_proj.weight", b + "attn_q.weight", new long[] {q, h}, config.heads(), hd);
                add(w, ckpt, sourceOf, keptHigher, type, p + "self_attn.k_proj.weight", b + "attn_k.weight", new long[] {kv, h}, config.kvHeads(), hd);
                add(w, ckpt, sourceOf, keptHigher, type, p + "self_attn.v_proj.weight", b + "attn_v.weight", new long[] {kv, h}, 0, hd);
                add(w, ckpt, sourceOf, keptHigher, type, p + "self_attn.o_proj.weight", b + "attn_output.weight", new long[] {h, q}, 0, hd);
                add(w, ckpt, sourceOf, keptHigher, type, p + "post_attention_layernorm.weight", b + "ffn_norm.weight", new long[] {h}, 0, hd);
                add(w, ckpt, sourceOf, keptHigher, type, p + "mlp.gate_proj.weight", b + "ffn_gate.weight", new long[] {inter, h}, 0, hd);
                add(w, ckpt, sourceOf, keptHigher, type, p + "mlp.up_proj.weight", b + "ffn_up.weight", new long[] {inter, h}, 0, hd);
                add(w, ckpt, sourceOf, keptHigher, type, p + "mlp.down_proj.weight", b + "ffn_down.weight", new long[] {h, inter}, 0, hd);
            }
            add(w, ckpt, sourceOf, keptHigher, type, "model.norm.weight", "output_norm.weight", new long[] {h}, 0, hd);
            if (ckpt.contains("lm_head.weight")) {
                add(w, ckpt, sourceOf, keptHigher, type, "lm_head.weight", "output.weight", new long[] {config.vocabSize(), h}, 0, hd);
            } else if (!config.tieWordEmbeddings()) {
                throw new CheckpointException("Checkpoint in " + modelDir + " has no lm_head.weight and config.json does"
                        + " not tie it to the embeddings: cannot convert an incomplete checkpoint");
            } // tied: llama.cpp uses token_embd.weight as the output matrix when output.weight is absent

            w.write(out, (tensor, done, total) -> {
                // drop the source mapping once its rows are written, so resident memory stays one tensor at most
                ckpt.release(sourceOf.get(tensor));
                listener.progress(tensor, done, total);
            });
            int count = sourceOf.size();
            long bytes;
            try {
                bytes = Files.size(out);
            } catch (IOException e) {
                bytes = -1;
            }
            return new ConversionReport(out, type, count, bytes, keptHigher);
        }
    }

    private static void add(GgufWriter w, Checkpoint ckpt, Map<String, String> sourceOf, List<String> keptHigher,
                            GgufType requested, String hfName, String ggufName, long[] shape, int permuteHeads, int headDim) {
        if (!ckpt.contains(hfName)) {
            throw new CheckpointException("Tensor '" + hfName + "' is missing from the " + ckpt.format()
                    + " checkpoint: cannot convert an incomplete checkpoint");
        }
        StoredTensor t = ckpt.tensor(hfName);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new CheckpointException("Tensor '" + hfName + "' has shape " + Arrays.toString(t.shape())
                    + " but config.json implies " + Arrays.toString(shape) + ": the config and the weights disagree");
        }
        sourceOf.put(ggufName, hfName);
        if (shape.length == 1) {
            float[] all = t.toFloatArray();
            w.tensor(ggufName, new long[] {shape[0]}, GgmlType.F32, r -> all);
            return;
        }
        long rows = shape[0];
        int cols = Math.toIntExact(shape[1]);
        GgmlType type = switch (requested) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case Q8_0 -> GgmlType.Q8_0;
            case Q4_0 -> ggufName.equals("output.weight") ? GgmlType.Q8_0 : GgmlType.Q4_0;
        };
        if (requested == GgufType.Q4_0 && type == GgmlType.Q8_0) {
            keptHigher.add(ggufName + ": q8_0 (the output matrix decides every token; 4 bits there cost the most quality)");
        }
        if (type.quantized() && cols % type.blockSize() != 0) {
            keptHigher.add(ggufName + ": f16 (rows of " + cols + " values are not a multiple of the 32-value block)");
            type = GgmlType.F16;
        }
        float[] row = new float[cols];
        FloatBuffer view = FloatBuffer.wrap(row);
        w.tensor(ggufName, new long[] {cols, rows}, type, r -> {
            long src = permuteHeads > 0 ? permutedRow(r, headDim) : r;
            view.clear();
            t.copyRowAsFloatsTo(Math.toIntExact(src), view);
            return row;
        });
    }

    /**
     * The Hugging Face row that becomes row {@code r} of a query/key projection in llama.cpp's layout. HF
     * stores each head's rotary pairs as (first half, second half); llama.cpp as adjacent pairs: within a
     * head, output row 2j+s comes from input row s*headDim/2 + j.
     */
    static long permutedRow(long r, int headDim) {
        long head = r / headDim;
        int i = (int) (r % headDim);
        int j = i / 2;
        int s = i % 2;
        return head * headDim + (long) s * (headDim / 2) + j;
    }

    private static void writeVocab(GgufWriter w, JsonObject tj, ModelConfig config, Path dir) {
        JsonObject model = tj.getAsJsonObject("model");
        if (model == null || !"BPE".equals(str(model, "type"))) {
            throw new UnsupportedModelException(dir.resolve("tokenizer.json") + ": tokenizer model "
                    + (model == null ? "missing" : str(model, "type")) + " cannot be converted; expected a BPE tokenizer"
                    + " (LLaMA/Mistral SentencePiece-BPE or Llama-3 byte-level BPE)");
        }
        int n = config.vocabSize();
        String[] tokens = new String[n];
        int[] types = new int[n];
        Set<Integer> specials = new HashSet<>();
        Set<Integer> added = new HashSet<>();
        for (Map.Entry<String, JsonElement> e : model.getAsJsonObject("vocab").entrySet()) {
            put(tokens, e.getValue().getAsInt(), e.getKey(), dir);
        }
        if (tj.has("added_tokens") && tj.get("added_tokens").isJsonArray()) {
            for (JsonElement el : tj.getAsJsonArray("added_tokens")) {
                JsonObject a = el.getAsJsonObject();
                int id = a.get("id").getAsInt();
                put(tokens, id, a.get("content").getAsString(), dir);
                added.add(id);
                if (a.has("special") && a.get("special").getAsBoolean()) {
                    specials.add(id);
                }
            }
        }
        List<String> merges = merges(model);
        boolean spm = isSentencePiece(tj, model);
        String unk = str(model, "unk_token");
        float[] scores = new float[n];
        Map<String, Integer> rankOf = new HashMap<>();
        if (spm) {
            // SentencePiece-BPE merges in the order of the pieces' scores; llama.cpp's "llama" tokenizer
            // merges the highest-scoring pair, so score = -(rank of the merge that makes the piece)
            for (int i = 0; i < merges.size(); i++) {
                rankOf.putIfAbsent(merges.get(i).replace(" ", ""), i);
            }
        }
        List<String> tokenList = new ArrayList<>(n);
        for (int id = 0; id < n; id++) {
            String t = tokens[id];
            if (t == null) {
                tokenList.add("[PAD" + id + "]");
                types[id] = UNUSED;
                scores[id] = -1e9f;
                continue;
            }
            tokenList.add(t);
            if (t.equals(unk)) {
                types[id] = UNKNOWN;
            } else if (specials.contains(id)) {
                types[id] = CONTROL;
            } else if (added.contains(id)) {
                types[id] = USER_DEFINED;
            } else if (spm && BYTE_TOKEN.matcher(t).matches()) {
                types[id] = BYTE;
            } else {
                types[id] = NORMAL;
            }
            Integer rank = rankOf.get(t);
            scores[id] = rank != null ? -rank : (types[id] == NORMAL ? -1e6f - id : 0f);
        }
        if (spm) {
            w.string("tokenizer.ggml.model", "llama");
        } else {
            if (n < 128000) {
                throw new UnsupportedModelException(dir.resolve("tokenizer.json") + ": a byte-level BPE tokenizer with "
                        + n + " tokens is not one this converter knows the llama.cpp pre-tokenizer of; it converts"
                        + " LLaMA-1/2 and Mistral (SentencePiece) and Llama-3 (128k byte-level BPE) tokenizers");
            }
            w.string("tokenizer.ggml.model", "gpt2").string("tokenizer.ggml.pre", "llama-bpe");
        }
        w.strings("tokenizer.ggml.tokens", tokenList).floats("tokenizer.ggml.scores", scores)
                .ints("tokenizer.ggml.token_type", types);
        if (!spm) {
            w.strings("tokenizer.ggml.merges", merges);
        }
        if (unk != null && model.getAsJsonObject("vocab").has(unk)) {
            w.u32("tokenizer.ggml.unknown_token_id", model.getAsJsonObject("vocab").get(unk).getAsInt());
        }
    }

    private static void put(String[] tokens, int id, String text, Path dir) {
        if (id < 0 || id >= tokens.length) {
            throw new UnsupportedModelException(dir.resolve("tokenizer.json") + ": token \"" + text + "\" has id " + id
                    + " outside config.json's vocab_size " + tokens.length);
        }
        tokens[id] = text;
    }

    private static boolean isSentencePiece(JsonObject tj, JsonObject model) {
        if (model.has("byte_fallback") && model.get("byte_fallback").getAsBoolean()) {
            return true;
        }
        String all = String.valueOf(tj.get("normalizer")) + tj.get("pre_tokenizer") + tj.get("decoder");
        return all.contains("Metaspace") || all.contains("\u2581");
    }

    private static List<String> merges(JsonObject model) {
        List<String> out = new ArrayList<>();
        JsonElement m = model.get("merges");
        if (m == null || !m.isJsonArray()) {
            return out;
        }
        for (JsonElement e : (JsonArray) m) {
            if (e.isJsonArray()) { // newer tokenizers write each merge as a pair
                out.add(e.getAsJsonArray().get(0).getAsString() + " " + e.getAsJsonArray().get(1).getAsString());
            } else {
                out.add(e.getAsString());
            }
        }
        return out;
    }

    private static String str(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static JsonObject readJson(Path file, String why) {
        try {
            return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (NoSuchFileException e) {
            throw new CheckpointException("No " + file.getFileName() + " in " + file.getParent() + ": " + why);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
