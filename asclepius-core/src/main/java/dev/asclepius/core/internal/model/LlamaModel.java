package dev.asclepius.core.internal.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * The LLaMA / Mistral decoder forward pass on DJL NDArrays, step for step as HuggingFace's
 * {@code LlamaForCausalLM}:
 *
 * <pre>
 *   x = embed_tokens[ids]
 *   for each layer:
 *       x = x + o_proj(attention(rope(q), rope(k), v))      with q,k,v = qkv_proj(rms_norm(x))
 *       x = x + down_proj(silu(gate) * up)                  with gate,up = gate_up_proj(rms_norm(x))
 *   logits = lm_head(rms_norm(x))
 * </pre>
 *
 * <p>Two load-time rewrites keep the op count per token low without changing the maths: q/k/v and
 * gate/up projections are concatenated into one matrix each, and the attention scale 1/sqrt(head_dim)
 * is folded into the query weights (RoPE is linear, so scaling before it equals scaling after).
 *
 * <p>Every NDArray created here belongs to the caller's {@code NDScope}; weights and the KV cache live in
 * their own managers. Not thread-safe: one forward at a time.
 */
public final class LlamaModel implements AutoCloseable {

    private static final int[] LAST_AXIS = {-1};

    private final ModelConfig config;
    private final LlamaWeights weights;
    private final DataType dtype;
    private final RopeTables rope;
    // Fixed slices of the fused projections, built once.
    private final NDIndex qkHeads;
    private final NDIndex vHeads;
    private final NDIndex qHeads;
    private final NDIndex kHeads;
    private final NDIndex gateHalf;
    private final NDIndex upHalf;

    public LlamaModel(ModelConfig config, LlamaWeights weights) {
        this.config = config;
        this.weights = weights;
        this.dtype = weights.dataType();
        this.rope = new RopeTables(weights.manager(), config, dtype);
        int nh = config.heads();
        int nkv = config.kvHeads();
        int inter = config.intermediateSize();
        this.qkHeads = new NDIndex().addAllDim().addSliceDim(0, nh + nkv);
        this.vHeads = new NDIndex().addAllDim().addSliceDim(nh + nkv, nh + 2L * nkv);
        this.qHeads = new NDIndex().addAllDim().addSliceDim(0, nh);
        this.kHeads = new NDIndex().addAllDim().addSliceDim(nh, nh + nkv);
        this.gateHalf = new NDIndex().addAllDim(2).addSliceDim(0, inter);
        this.upHalf = new NDIndex().addAllDim(2).addSliceDim(inter, 2L * inter);
    }

    public ModelConfig config() {
        return config;
    }

    public DataType dataType() {
        return dtype;
    }

    public NDManager manager() {
        return weights.manager();
    }

    /**
     * Runs {@code ids} ([batch, T] int32 on the model's device) at positions {@code start .. start+T-1},
     * writing their keys and values into {@code cache}, and returns float logits: [batch, vocab] for the
     * last position, or [batch, T, vocab] when {@code allPositions}.
     */
    public NDArray forward(NDArray ids, int start, KvCache cache, boolean allPositions) {
        long batch = ids.getShape().get(0);
        int steps = (int) ids.getShape().get(1);
        NDArray cos = rope.cos(start, steps);                 // [T, head_dim]
        NDArray sin = rope.sin(start, steps);
        NDArray mask = steps > 1 ? causalMask(ids.getManager(), start, steps) : null;

        NDArray x = weights.embedTokens().get(ids);            // [B, T, hidden]
        for (int layer = 0; layer < config.layers(); layer++) {
            LlamaWeights.Layer w = weights.layer(layer);
            x = x.add(attention(rmsNorm(x, w.inputNorm()), w, layer, start, cos, sin, mask, cache, batch, steps));
            x = x.add(mlp(rmsNorm(x, w.postAttentionNorm()), w));
        }
        if (!allPositions && steps > 1) {
            x = x.get(new NDIndex().addAllDim().addSliceDim(steps - 1, steps)); // only the last position feeds the next token
        }
        NDArray logits = linear(rmsNorm(x, weights.finalNorm()), weights.lmHead());
        return allPositions ? logits : logits.reshape(batch, config.vocabSize());
    }

    /** Self-attention for one layer; returns the o_proj output [B, T, hidden]. */
    private NDArray attention(NDArray h, LlamaWeights.Layer w, int layer, int start, NDArray cos, NDArray sin,
                              NDArray mask, KvCache cache, long batch, int steps) {
        int nh = config.heads();
        int nkv = config.kvHeads();
        int hd = config.headDim();
        int group = config.groupSize();
        // One matmul for q, k and v: [B, T, (nh + 2 nkv) * hd] -> [B, heads, T, hd]
        NDArray qkv = linear(h, w.qkvProj()).reshape(batch, steps, nh + 2L * nkv, hd).transpose(0, 2, 1, 3);
        NDArray qk = rotate(qkv.get(qkHeads), cos, sin);        // RoPE on query and key heads together
        NDArray q = qk.get(qHeads);
        cache.write(layer, start, qk.get(kHeads), qkv.get(vHeads));
        NDArray keys = cache.keys(layer, start + steps);       // [B, nkv, S, hd]
        NDArray values = cache.values(layer, start + steps);
        int total = start + steps;

        // Grouped-query attention without copying K/V per query head: the `group` query heads that share
        // a kv head are laid out as extra rows of that head ([B, nkv, group*T, hd]).
        NDArray scores = q.reshape(batch, nkv, (long) group * steps, hd).matMul(keys.transpose(0, 1, 3, 2));
        if (mask != null) {
            scores = scores.reshape(batch, nkv, group, steps, total).add(mask);
        }
        NDArray probs = softmax(scores).reshape(batch, nkv, (long) group * steps, total);
        NDArray context = probs.matMul(values)                   // [B, nkv, group*T, hd] = [B, nh, T, hd]
                .reshape(batch, nh, steps, hd).transpose(0, 2, 1, 3).reshape(batch, steps, (long) nh * hd);
        return linear(context, w.oProj());
    }

    /** SwiGLU MLP: down(silu(gate(h)) * up(h)), gate and up from one fused matmul. */
    private NDArray mlp(NDArray h, LlamaWeights.Layer w) {
        NDArray gateUp = linear(h, w.gateUpProj());
        NDArray gate = gateUp.get(gateHalf);
        NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(gateUp.get(upHalf));   // silu(gate) * up
        return linear(act, w.downProj());
    }

    /**
     * HF rotate-half RoPE: x * cos + rotate_half(x) * sin with rotate_half(x) = [-x2, x1], the latter as
     * one small matmul with a signed permutation (1 op instead of slice, negate, slice, concat).
     */
    private NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        return x.mul(cos).add(x.matMul(rope.rotateHalf()).mul(sin));
    }

    /** RMSNorm, in float32 as HF does (f16 squares overflow on LLaMA's large activations). */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray x32 = dtype == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray normed = x32.div(x32.square().mean(LAST_AXIS, true).add(config.rmsNormEps()).sqrt());
        return (dtype == DataType.FLOAT32 ? normed : normed.toType(dtype, false)).mul(weight);
    }

    /** Softmax over the last axis, in float32 as HF does. */
    private NDArray softmax(NDArray scores) {
        if (dtype == DataType.FLOAT32) {
            return scores.softmax(-1);
        }
        return scores.toType(DataType.FLOAT32, false).softmax(-1).toType(dtype, false);
    }

    /** x · Wᵀ with HF's [out, in] weight layout, without transposing the weight. */
    private static NDArray linear(NDArray x, NDArray weight) {
        return x.getNDArrayInternal().linear(x, weight, null).singletonOrThrow();
    }

    /** Additive mask [T, S]: 0 where query position start+i may see key j (j <= start+i), else -inf. */
    private NDArray causalMask(NDManager manager, int start, int steps) {
        int total = start + steps;
        NDArray keyPos = manager.arange(0, total, 1, DataType.FLOAT32).reshape(1, total);
        NDArray queryPos = manager.arange(start, total, 1, DataType.FLOAT32).reshape(steps, 1);
        NDArray blocked = keyPos.gt(queryPos).toType(DataType.FLOAT32, false).mul(-1e9f);
        return blocked.toType(dtype, false).toDevice(weights.manager().getDevice(), false);
    }

    /** A fresh KV cache for {@code batch} sequences of at most {@code capacity} tokens. */
    public KvCache newCache(int batch, int capacity) {
        return new KvCache(weights.manager(), config, batch, capacity, dtype);
    }

    /** Every large matrix a decode step streams once (fused projections and lm_head), for benchmarks. */
    public java.util.List<NDArray> decodeMatrices() {
        return weights.decodeMatrices();
    }

    /**
     * Native ops one greedy decode step issues (one token, f32; f16 adds 6 casts per layer), counted from
     * {@link #forward}: per layer 2 RMSNorms of 6, attention 28, MLP 6, 2 residual adds; per step the
     * token upload, embedding, 2 RoPE slices, final norm, lm_head, reshape, argmax and its download. Each
     * costs ~1-3 µs of JNI and dispatch on top of its arithmetic.
     */
    public int opsPerDecodeStep() {
        int perLayer = 2 * 6 + 28 + 6 + 2;
        return config.layers() * perLayer + 14;
    }

    /** Bytes one token takes in the KV cache (keys and values, all layers). */
    public long kvBytesPerToken() {
        return 2L * config.layers() * config.kvHeads() * config.headDim() * dtype.getNumOfBytes();
    }

    @Override
    public void close() {
        weights.close();
    }
}
