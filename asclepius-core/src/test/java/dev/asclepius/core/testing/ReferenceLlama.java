package dev.asclepius.core.testing;

import java.util.Map;
import java.util.Objects;

/**
 * Plain-Java scalar LLaMA / Mistral forward pass: the slow, obviously-correct oracle that the DJL
 * engine is checked against. It follows HF transformers' {@code LlamaForCausalLM} step by step and
 * deliberately shares no code with the engine.
 *
 * <p>Everything is recomputed from scratch for each call (no KV cache) and all arithmetic is done in
 * {@code double}; weights stay {@code float} as they are in a float32 checkpoint. The only rounding
 * to float is of the returned logits. So differences against the engine are the engine's float32
 * error, not the reference's.
 *
 * <p>Weights use the HF names and the HF {@code [out, in]} row-major layout of {@code nn.Linear}.
 */
public final class ReferenceLlama {

    private final ReferenceConfig cfg;
    private final float[] embedTokens;   // [vocab, hidden]
    private final Layer[] layers;
    private final float[] finalNorm;     // [hidden]
    private final float[] lmHead;        // [vocab, hidden]; the embedding itself when tied

    /** Weights of one decoder layer, each an {@code [out, in]} row-major matrix or a norm vector. */
    private record Layer(float[] inputNorm, float[] q, float[] k, float[] v, float[] o,
                         float[] postAttentionNorm, float[] gate, float[] up, float[] down) {
    }

    /**
     * @param weights HF tensor name to flat float32 values; every tensor the architecture needs must be
     *                present with exactly the expected element count. Extra entries are ignored, as HF
     *                ignores e.g. {@code lm_head.weight} in a tied checkpoint.
     * @throws IllegalArgumentException naming the first missing or mis-sized tensor
     */
    public ReferenceLlama(ReferenceConfig cfg, Map<String, float[]> weights) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(weights, "weights");
        int hidden = cfg.hiddenSize();
        int qDim = cfg.heads() * cfg.headDim();
        int kvDim = cfg.kvHeads() * cfg.headDim();
        int inter = cfg.intermediateSize();

        this.embedTokens = require(weights, "model.embed_tokens.weight", cfg.vocabSize(), hidden);
        this.layers = new Layer[cfg.layers()];
        for (int i = 0; i < cfg.layers(); i++) {
            String p = "model.layers." + i + ".";
            layers[i] = new Layer(
                    require(weights, p + "input_layernorm.weight", 1, hidden),
                    require(weights, p + "self_attn.q_proj.weight", qDim, hidden),
                    require(weights, p + "self_attn.k_proj.weight", kvDim, hidden),
                    require(weights, p + "self_attn.v_proj.weight", kvDim, hidden),
                    require(weights, p + "self_attn.o_proj.weight", hidden, qDim),
                    require(weights, p + "post_attention_layernorm.weight", 1, hidden),
                    require(weights, p + "mlp.gate_proj.weight", inter, hidden),
                    require(weights, p + "mlp.up_proj.weight", inter, hidden),
                    require(weights, p + "mlp.down_proj.weight", hidden, inter));
        }
        this.finalNorm = require(weights, "model.norm.weight", 1, hidden);
        this.lmHead = cfg.tieWordEmbeddings()
                ? embedTokens
                : require(weights, "lm_head.weight", cfg.vocabSize(), hidden);
    }

    public ReferenceConfig config() {
        return cfg;
    }

    /**
     * Logits for every position of the prompt, as {@code LlamaForCausalLM(input_ids).logits[0]}.
     * Positions start at 0 for {@code ids[0]}.
     *
     * @return {@code [ids.length][vocabSize]}
     */
    public float[][] forward(int[] ids) {
        Objects.requireNonNull(ids, "ids");
        if (ids.length == 0) {
            throw new IllegalArgumentException("ids must not be empty");
        }
        int seq = ids.length;
        int hidden = cfg.hiddenSize();

        // 1. Token embedding lookup: x[t] = embed_tokens[ids[t]].
        double[][] x = new double[seq][];
        for (int t = 0; t < seq; t++) {
            if (ids[t] < 0 || ids[t] >= cfg.vocabSize()) {
                throw new IllegalArgumentException("token id " + ids[t] + " at position " + t
                        + " outside vocabulary [0, " + cfg.vocabSize() + ")");
            }
            x[t] = row(embedTokens, ids[t], hidden);
        }

        // 2. Decoder layers, each two pre-norm residual blocks.
        for (Layer layer : layers) {
            // 2a. h = x + o_proj(self_attn(input_layernorm(x)))
            double[][] normed = new double[seq][];
            for (int t = 0; t < seq; t++) {
                normed[t] = rmsNorm(x[t], layer.inputNorm(), cfg.rmsNormEps());
            }
            double[][] attention = selfAttention(layer, normed);
            for (int t = 0; t < seq; t++) {
                addInPlace(x[t], linear(layer.o(), attention[t], hidden));
            }

            // 2b. x = h + down_proj(silu(gate_proj(n)) * up_proj(n)), n = post_attention_layernorm(h).
            // Position-wise, so each token is independent here.
            for (int t = 0; t < seq; t++) {
                double[] n = rmsNorm(x[t], layer.postAttentionNorm(), cfg.rmsNormEps());
                addInPlace(x[t], mlp(layer, n));
            }
        }

        // 3. Final norm, then 4. LM head: logits[t][v] = lm_head[v] . norm(x[t]).
        float[][] logits = new float[seq][];
        for (int t = 0; t < seq; t++) {
            double[] out = linear(lmHead, rmsNorm(x[t], finalNorm, cfg.rmsNormEps()), cfg.vocabSize());
            logits[t] = new float[out.length];
            for (int v = 0; v < out.length; v++) {
                logits[t][v] = (float) out[v];
            }
        }
        return logits;
    }

    /**
     * Causal grouped-query self-attention over the whole sequence (before o_proj).
     *
     * @param normed input_layernorm output, [seq][hidden]
     * @return concatenated per-head outputs, [seq][heads * headDim]
     */
    private double[][] selfAttention(Layer layer, double[][] normed) {
        int seq = normed.length;
        int headDim = cfg.headDim();
        int qDim = cfg.heads() * headDim;
        int kvDim = cfg.kvHeads() * headDim;

        // q/k/v projections, then RoPE on q and k at the token's absolute position (v is not rotated).
        double[][] q = new double[seq][];
        double[][] k = new double[seq][];
        double[][] v = new double[seq][];
        for (int t = 0; t < seq; t++) {
            q[t] = linear(layer.q(), normed[t], qDim);
            k[t] = linear(layer.k(), normed[t], kvDim);
            v[t] = linear(layer.v(), normed[t], kvDim);
            for (int h = 0; h < cfg.heads(); h++) {
                applyRope(q[t], h * headDim, headDim, t, cfg.ropeTheta());
            }
            for (int h = 0; h < cfg.kvHeads(); h++) {
                applyRope(k[t], h * headDim, headDim, t, cfg.ropeTheta());
            }
        }

        double scale = 1.0 / Math.sqrt(headDim);
        double[][] out = new double[seq][qDim];
        for (int t = 0; t < seq; t++) {
            for (int h = 0; h < cfg.heads(); h++) {
                // GQA: HF's repeat_kv gives query heads [g*n, (g+1)*n) the kv head g, n = heads / kvHeads.
                int kvOffset = (h / cfg.queriesPerKvHead()) * headDim;
                int qOffset = h * headDim;

                // Causal mask: position t attends to keys 0..t only, so masked scores never exist.
                double[] probs = new double[t + 1];
                for (int s = 0; s <= t; s++) {
                    probs[s] = dot(q[t], qOffset, k[s], kvOffset, headDim) * scale;
                }
                softmaxInPlace(probs);

                for (int s = 0; s <= t; s++) {
                    for (int d = 0; d < headDim; d++) {
                        out[t][qOffset + d] += probs[s] * v[s][kvOffset + d];
                    }
                }
            }
        }
        return out;
    }

    /** LlamaMLP: down_proj(silu(gate_proj(n)) * up_proj(n)). */
    private double[] mlp(Layer layer, double[] n) {
        int inter = cfg.intermediateSize();
        double[] gate = linear(layer.gate(), n, inter);
        double[] up = linear(layer.up(), n, inter);
        double[] act = new double[inter];
        for (int j = 0; j < inter; j++) {
            act[j] = silu(gate[j]) * up[j];
        }
        return linear(layer.down(), act, cfg.hiddenSize());
    }

    // ---- Building blocks, public so tests can probe them in isolation. ----

    /** LlamaRMSNorm: {@code weight * x / sqrt(mean(x^2) + eps)}. Note there is no mean subtraction and no bias. */
    public static double[] rmsNorm(double[] x, float[] weight, double eps) {
        double sumSquares = 0;
        for (double value : x) {
            sumSquares += value * value;
        }
        double inverseRms = 1.0 / Math.sqrt(sumSquares / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = weight[i] * (x[i] * inverseRms);
        }
        return out;
    }

    /**
     * HF rotary embedding, rotate-half convention, on {@code vec[offset, offset + headDim)} in place:
     * {@code v' = v * cos + rotate_half(v) * sin} with {@code rotate_half(v) = concat(-v[half:], v[:half])}
     * and cos/sin duplicated over both halves. So element i pairs with element i + half (not i + 1 as
     * in the original Meta/GPT-J interleaved layout), both rotating by angle {@code position * inv_freq[i]}.
     *
     * <p>HF computes {@code inv_freq} and the angles in float32; we use double, i.e. the exact values
     * that float32 approximates.
     */
    public static void applyRope(double[] vec, int offset, int headDim, int position, double theta) {
        int half = headDim / 2;
        for (int i = 0; i < half; i++) {
            double invFreq = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
            double angle = position * invFreq;
            double cos = Math.cos(angle);
            double sin = Math.sin(angle);
            double first = vec[offset + i];          // x[:half][i]
            double second = vec[offset + half + i];  // x[half:][i]
            // First half:  x1*cos + (-x2)*sin ; second half: x2*cos + x1*sin.
            vec[offset + i] = first * cos - second * sin;
            vec[offset + half + i] = second * cos + first * sin;
        }
    }

    /** SiLU (swish): x * sigmoid(x), LLaMA's hidden_act. */
    public static double silu(double x) {
        return x / (1.0 + Math.exp(-x));
    }

    /** nn.Linear without bias, HF layout: {@code y[o] = sum_i W[o * in + i] * x[i]}. */
    public static double[] linear(float[] weight, double[] x, int outFeatures) {
        int in = x.length;
        double[] y = new double[outFeatures];
        for (int o = 0; o < outFeatures; o++) {
            double acc = 0;
            int base = o * in;
            for (int i = 0; i < in; i++) {
                acc += weight[base + i] * x[i];
            }
            y[o] = acc;
        }
        return y;
    }

    /** Numerically stable softmax (subtract the max), as torch does. */
    private static void softmaxInPlace(double[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            scores[i] = Math.exp(scores[i] - max);
            sum += scores[i];
        }
        for (int i = 0; i < scores.length; i++) {
            scores[i] /= sum;
        }
    }

    private static double dot(double[] a, int aOffset, double[] b, int bOffset, int length) {
        double acc = 0;
        for (int i = 0; i < length; i++) {
            acc += a[aOffset + i] * b[bOffset + i];
        }
        return acc;
    }

    private static void addInPlace(double[] target, double[] delta) {
        for (int i = 0; i < target.length; i++) {
            target[i] += delta[i];
        }
    }

    private static double[] row(float[] matrix, int row, int width) {
        double[] out = new double[width];
        for (int i = 0; i < width; i++) {
            out[i] = matrix[row * width + i];
        }
        return out;
    }

    private static float[] require(Map<String, float[]> weights, String name, int rows, int cols) {
        float[] w = weights.get(name);
        if (w == null) {
            throw new IllegalArgumentException("missing weight " + name);
        }
        long expected = (long) rows * cols;
        if (w.length != expected) {
            throw new IllegalArgumentException("weight " + name + " has " + w.length + " elements, expected "
                    + expected + (rows == 1 ? "" : " ([" + rows + ", " + cols + "])"));
        }
        return w;
    }
}
