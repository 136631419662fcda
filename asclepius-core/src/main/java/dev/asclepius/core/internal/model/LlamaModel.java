package dev.asclepius.core.internal.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

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
 * <p>Every native op costs microseconds of JNI and dispatch (and a kernel launch on a GPU), so
 * {@link LlamaWeights} rewrites the weights at load time without changing the maths: q/k/v and gate/up
 * are concatenated into one matrix each; each RMSNorm gain is folded into the columns of the matrix that
 * consumes the normalized vector ({@code (x̂ ⊙ g)·Wᵀ = x̂·(W ⊙ g)ᵀ}); the attention scale 1/sqrt(head_dim)
 * is folded into the query rows (RoPE is linear, so scaling before it equals scaling after). Below,
 * {@code normalize} is therefore RMSNorm without its gain.
 *
 * <p>Every NDArray created here belongs to the caller's {@code NDScope}; weights and the KV cache live in
 * their own managers. Not thread-safe: one forward at a time.
 */
public final class LlamaModel implements AutoCloseable {

    private static final int[] LAST_AXIS = {-1};
    private static final int THIN_ROWS = 16;
    private static final int QUERY_CHUNK = 256;

    private final ModelConfig config;
    private final LlamaWeights weights;
    private final DataType dtype;
    private final RopeTables rope;
    private final NDArray epsilon;   // a tensor, not a Java float: scalar operands cost an extra native allocation per op
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
        this.epsilon = weights.manager().create(config.rmsNormEps());
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
     * writing their keys and values into {@code cache}, and returns logits in the compute type: [batch, vocab]
     * for the last position, or [batch, T, vocab] when {@code allPositions}.
     */
    public NDArray forward(NDArray ids, int start, KvCache cache, boolean allPositions) {
        int steps = (int) ids.getShape().get(1);
        NDArray cos = rope.cos(start, steps);                 // [T, head_dim]: every row at positions start..
        NDArray sin = rope.sin(start, steps);
        NDArray mask = steps > 1 ? causalMask(ids.getManager(), start, steps) : null;
        return run(ids, start, cos, sin, mask, cache, allPositions);
    }

    /**
     * The batched form, for rows whose tokens share cache slots but not positions: row b's tokens sit at
     * slots {@code start .. start+T-1} with RoPE positions {@code positions[b]} ([batch, T] int64), and
     * row b may attend only to the slots where {@code slotMask[b]} ([batch, capacity], additive: 0 or
     * -1e9) is 0 — left padding and gaps between a shared prefix and a shorter suffix are masked there.
     * Because RoPE encodes positions in the keys themselves, a row's keys can sit at any slot.
     */
    public NDArray forward(NDArray ids, int start, NDArray positions, NDArray slotMask, KvCache cache,
                           boolean allPositions) {
        return forward(ids, start, positions, slotMask, cache, 0, allPositions);
    }

    /**
     * The batched form when every row holds the same first {@code sharedPrefix} slots (a note's prompt
     * prefix computed once and copied into each row): attention over those slots reads one row's keys
     * and values for all rows' queries at once instead of every row's copy. With long notes and several
     * questions the prefix dominates the KV cache, so this cuts the memory each decode step reads.
     */
    public NDArray forward(NDArray ids, int start, NDArray positions, NDArray slotMask, KvCache cache,
                           int sharedPrefix, boolean allPositions) {
        long batch = ids.getShape().get(0);
        int steps = (int) ids.getShape().get(1);
        int total = start + steps;
        NDArray cos = rope.cosAt(positions).reshape(batch, 1, steps, config.headDim());   // [B, 1, T, head_dim]
        NDArray sin = rope.sinAt(positions).reshape(batch, 1, steps, config.headDim());
        NDArray mask = slotMask.get(new NDIndex().addAllDim().addSliceDim(0, total)).reshape(batch, 1, 1, 1, total);
        if (steps > 1) {
            mask = mask.add(causalMask(ids.getManager(), start, steps));                   // [B, 1, 1, T, S]
        }
        return run(ids, start, cos, sin, mask, cache, batch > 1 ? Math.min(sharedPrefix, start) : 0, allPositions);
    }

    private NDArray run(NDArray ids, int start, NDArray cos, NDArray sin, NDArray mask, KvCache cache,
                        boolean allPositions) {
        return run(ids, start, cos, sin, mask, cache, 0, allPositions);
    }

    private NDArray run(NDArray ids, int start, NDArray cos, NDArray sin, NDArray mask, KvCache cache,
                        int sharedPrefix, boolean allPositions) {
        long batch = ids.getShape().get(0);
        int steps = (int) ids.getShape().get(1);
        NDArray x = weights.embedTokens().get(ids);            // [B, T, hidden], a fresh copy we may update in place
        for (int layer = 0; layer < config.layers(); layer++) {
            LlamaWeights.Layer w = weights.layer(layer);
            x.addi(attention(normalize(x), w, layer, start, cos, sin, mask, cache, sharedPrefix, batch, steps));
            x.addi(mlp(normalize(x), w));
        }
        if (!allPositions && steps > 1) {
            x = x.get(new NDIndex().addAllDim().addSliceDim(steps - 1, steps)); // only the last position feeds the next token
        }
        NDArray logits = linear(normalize(x), weights.lmHead());
        return allPositions ? logits : logits.reshape(batch, config.vocabSize());
    }

    /** Self-attention for one layer; returns the o_proj output [B, T, hidden]. */
    private NDArray attention(NDArray h, LlamaWeights.Layer w, int layer, int start, NDArray cos, NDArray sin,
                              NDArray mask, KvCache cache, int shared, long batch, int steps) {
        int nh = config.heads();
        int nkv = config.kvHeads();
        int hd = config.headDim();
        int group = config.groupSize();
        int total = start + steps;
        boolean decode = steps == 1;
        // One matmul for q, k and v: [B, T, (nh + 2 nkv) * hd] -> [B, heads, T, hd]. With one token the
        // memory order already is [B, heads, 1, hd], so a reshape suffices.
        NDArray qkv = linear(h, w.qkvProj());
        qkv = decode ? qkv.reshape(batch, nh + 2L * nkv, 1, hd)
                : qkv.reshape(batch, steps, nh + 2L * nkv, hd).transpose(0, 2, 1, 3);
        NDArray qk = rotate(qkv.get(qkHeads), cos, sin);        // RoPE on query and key heads together
        cache.write(layer, start, qk.get(kHeads), qkv.get(vHeads));

        NDArray q = qk.get(qHeads);                              // [B, nh, T, hd]
        NDArray context;                                         // [B, nkv, group*T, hd] = [B, nh, T, hd]
        if (steps <= QUERY_CHUNK) {
            context = attend(q, mask, cache, layer, shared, batch, steps, total);
        } else {
            // Long prompts: queries in chunks, so no score tensor grows past ~QUERY_CHUNK x S per head.
            // One [heads, T, T] tensor of a 1,000-token prompt is 33 MB per layer, allocated fresh by each op
            // and page-faulted in: prefill of 1,024 tokens took 2.0 s instead of ~0.5 s on this machine.
            NDList parts = new NDList();
            for (int from = 0; from < steps; from += QUERY_CHUNK) {
                int to = Math.min(steps, from + QUERY_CHUNK);
                NDArray qc = q.get(new NDIndex().addAllDim(2).addSliceDim(from, to));
                NDArray mc = mask.get(mask.getShape().dimension() == 2
                        ? new NDIndex().addSliceDim(from, to) : new NDIndex().addAllDim(3).addSliceDim(from, to));
                parts.add(attend(qc, mc, cache, layer, shared, batch, to - from, total)
                        .reshape(batch, nh, to - from, hd));
            }
            context = NDArrays.concat(parts, 2);
        }
        context = decode ? context.reshape(batch, 1, (long) nh * hd)
                : context.reshape(batch, nh, steps, hd).transpose(0, 2, 1, 3).reshape(batch, steps, (long) nh * hd);
        return linear(context, w.oProj());
    }

    /**
     * softmax(q·Kᵀ + mask)·V for queries {@code q} ([B, nh, T, hd]) against cache slots
     * [0, total). Grouped-query attention without copying K/V per query head: the {@code group} query heads
     * that share a kv head are laid out as extra rows of that head ([B, nkv, group*T, hd]).
     */
    private NDArray attend(NDArray q, NDArray mask, KvCache cache, int layer, int shared, long batch, int steps,
                           int total) {
        int nkv = config.kvHeads();
        int hd = config.headDim();
        int group = config.groupSize();
        if (group > 1) {
            q = q.reshape(batch, nkv, (long) group * steps, hd);
        }
        long rowsPerHead = (long) group * steps;
        NDArray scores;
        if (shared > 0) {
            // Prefix slots: every row's queries as extra rows against row 0's keys ([1, nkv, B*rows, P]).
            NDArray qAll = q.transpose(1, 0, 2, 3).reshape(1, nkv, batch * rowsPerHead, hd);
            NDArray prefixScores = qAll.matMul(cache.prefixKeys(layer, shared).transpose(0, 1, 3, 2))
                    .reshape(nkv, batch, rowsPerHead, shared).transpose(1, 0, 2, 3);
            NDArray ownScores = q.matMul(cache.keys(layer, shared, total).transpose(0, 1, 3, 2));
            scores = prefixScores.concat(ownScores, -1);         // [B, nkv, group*T, S]
        } else {
            scores = q.matMul(cache.keys(layer, 0, total).transpose(0, 1, 3, 2)); // [B, nkv, group*T, S]
        }
        if (mask != null) {
            scores = scores.reshape(batch, nkv, group, steps, total).add(mask).reshape(batch, nkv, rowsPerHead, total);
        }
        NDArray probs = softmax(scores);
        if (shared == 0) {
            return probs.matMul(cache.values(layer, 0, total));
        }
        NDArray prefixProbs = probs.get(new NDIndex().addAllDim(3).addSliceDim(0, shared))
                .transpose(1, 0, 2, 3).reshape(1, nkv, batch * rowsPerHead, shared);
        NDArray fromPrefix = prefixProbs.matMul(cache.prefixValues(layer, shared))
                .reshape(nkv, batch, rowsPerHead, hd).transpose(1, 0, 2, 3);
        NDArray fromOwn = probs.get(new NDIndex().addAllDim(3).addSliceDim(shared, total))
                .matMul(cache.values(layer, shared, total));
        return fromPrefix.add(fromOwn);
    }

    /** SwiGLU MLP: down(silu(gate) * up), gate and up from one fused matmul; silu(g) = g * sigmoid(g). */
    private NDArray mlp(NDArray h, LlamaWeights.Layer w) {
        NDArray gateUp = linear(h, w.gateUpProj());
        NDArray gate = gateUp.get(gateHalf);
        NDArray act = gate.getNDArrayInternal().sigmoid().muli(gate).muli(gateUp.get(upHalf));
        return linear(act, w.downProj());
    }

    /**
     * HF rotate-half RoPE: x * cos + rotate_half(x) * sin with rotate_half(x) = [-x2, x1], the latter as
     * one small matmul with a signed permutation (1 op instead of slice, negate, slice, concat).
     */
    private NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        return x.mul(cos).addi(x.matMul(rope.rotateHalf()).muli(sin));
    }

    /** RMSNorm without its gain (folded into the next matmul), in float32 as HF computes it. */
    private NDArray normalize(NDArray x) {
        if (dtype == DataType.FLOAT32) {
            return x.div(x.square().mean(LAST_AXIS, true).addi(epsilon).sqrt());
        }
        // f16 squares overflow on LLaMA's large activations: normalize in float32, as HF does.
        NDArray x32 = x.toType(DataType.FLOAT32, false);
        return x32.divi(x32.square().mean(LAST_AXIS, true).addi(epsilon).sqrt()).toType(dtype, false);
    }

    /** Softmax over the last axis, in float32 as HF does. */
    private NDArray softmax(NDArray scores) {
        if (dtype == DataType.FLOAT32) {
            return scores.softmax(-1);
        }
        return scores.toType(DataType.FLOAT32, false).softmax(-1).toType(dtype, false);
    }

    /**
     * x · Wᵀ with HF's [out, in] weight layout, without transposing the weight. For 2-16 rows (batched
     * decode) it is computed as (W · xᵀ)ᵀ: MKL's sgemm repacks the whole weight matrix for a thin x, which
     * made 2-8 rows 2-5x slower than one (measured on the lm_head shape); with W as the tall operand it
     * streams W once like the one-row matrix-vector product.
     */
    private static NDArray linear(NDArray x, NDArray weight) {
        Shape shape = x.getShape();
        long in = shape.get(shape.dimension() - 1);
        long rows = shape.size() / in;
        if (rows < 2 || rows > THIN_ROWS) {
            return x.getNDArrayInternal().linear(x, weight, null).singletonOrThrow();
        }
        long[] outShape = shape.getShape();
        outShape[outShape.length - 1] = weight.getShape().get(0);
        return weight.matMul(x.reshape(rows, in).transpose()).transpose().reshape(outShape);
    }

    /** Additive mask [T, S]: 0 where query position start+i may see key j (j <= start+i), else -1e9. */
    private NDArray causalMask(NDManager manager, int start, int steps) {
        int total = start + steps;
        NDArray keyPos = manager.arange(0, total, 1, DataType.FLOAT32).reshape(1, total);
        NDArray queryPos = manager.arange(start, total, 1, DataType.FLOAT32).reshape(steps, 1);
        NDArray blocked = keyPos.gt(queryPos).toType(DataType.FLOAT32, false).muli(-1e9f);
        return blocked.toType(dtype, false).toDevice(weights.manager().getDevice(), false);
    }

    /** A fresh KV cache for {@code batch} sequences of at most {@code capacity} tokens. */
    public KvCache newCache(int batch, int capacity) {
        return new KvCache(weights.manager(), config, batch, capacity, dtype);
    }

    /** Every large matrix a decode step streams once (fused projections and lm_head), for benchmarks. */
    public List<NDArray> decodeMatrices() {
        return weights.decodeMatrices();
    }

    /**
     * Native ops one greedy decode step issues (one token, f32, MHA), counted from {@link #forward}: per
     * layer 2 normalizations of 5, attention 21, MLP 7, 2 residual adds; per step the token upload,
     * embedding, 2 RoPE slices, final normalization, lm_head, reshape, argmax and its download. Each costs
     * ~2-10 µs of JNI and dispatch on top of its arithmetic.
     */
    public int opsPerDecodeStep() {
        int perLayer = 2 * 5 + 21 + 7 + 2;
        return config.layers() * perLayer + 13;
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
