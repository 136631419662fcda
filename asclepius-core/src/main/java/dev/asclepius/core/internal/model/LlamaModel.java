package dev.asclepius.core.internal.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import java.util.List;

import static dev.asclepius.core.internal.model.TorchOps.add;
import static dev.asclepius.core.internal.model.TorchOps.addi;
import static dev.asclepius.core.internal.model.TorchOps.concat;
import static dev.asclepius.core.internal.model.TorchOps.matmul;
import static dev.asclepius.core.internal.model.TorchOps.mul;
import static dev.asclepius.core.internal.model.TorchOps.muli;
import static dev.asclepius.core.internal.model.TorchOps.permute;
import static dev.asclepius.core.internal.model.TorchOps.reshape;
import static dev.asclepius.core.internal.model.TorchOps.sigmoid;
import static dev.asclepius.core.internal.model.TorchOps.slice;
import static dev.asclepius.core.internal.model.TorchOps.split;
import static dev.asclepius.core.internal.model.TorchOps.toType;

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
 * <p>Every native op costs microseconds of JNI and dispatch (and a kernel launch on a GPU), which on a small
 * model is a large part of a decode step, so {@link LlamaWeights} rewrites the weights at load time without
 * changing the maths:
 * <ul>
 *   <li>q/k/v and gate/up are concatenated into one matrix each;
 *   <li>each RMSNorm gain is folded into the columns of the matrix that consumes the normalized vector
 *       ({@code (x̂ ⊙ g)·Wᵀ = x̂·(W ⊙ g)ᵀ}), and the attention scale 1/sqrt(head_dim) into the query rows
 *       (RoPE is linear, so scaling before it equals scaling after);
 *   <li>RMSNorm becomes one call. The residual stream carries one extra component, the constant
 *       {@code c = sqrt(hidden · eps)}, so that the unit vector {@code [x, c] / ||[x, c]||} equals
 *       {@code x / sqrt(mean(x²) + eps) / sqrt(hidden)} exactly, epsilon included. Matrices reading the
 *       normalized vector get {@code sqrt(hidden)} folded in and a zero column for {@code c}; o_proj and
 *       down_proj get a zero output row, so the residual adds never change {@code c};
 *   <li>each residual add is the bias of the matmul that produces it ({@code addmm}).
 * </ul>
 * In a decode step RoPE is a matmul of the query heads and one of the key heads with the position's rotation
 * matrix {@code diag(cos) + R·diag(sin)} (built 64 positions at a time, see {@link RopeTables}); batched steps
 * rotate both together with one matrix per row.
 *
 * <p>The residual stream is 2-D, [batch × tokens, hidden + 1]. Every NDArray created here belongs to the
 * caller's {@code NDScope}; weights and the KV cache live in their own managers. Not thread-safe: one
 * forward at a time.
 */
public final class LlamaModel implements AutoCloseable {

    private static final int THIN_ROWS = 16;
    private static final int QUERY_CHUNK = 256;

    private final ModelConfig config;
    private final LlamaWeights weights;
    private final DataType dtype;
    private final RopeTables rope;
    private final ai.djl.Device device;
    private final float epsilonComponent;   // c = sqrt(hidden * eps), the residual stream's extra component
    private final long[] qkvSplit;          // sizes of q | k | v in heads
    private final long[] qkAndVSplit;       // sizes of q and k | v in heads
    private final long[] gateUpSplit;       // sizes of gate | up in columns
    private final CpuKernels kernels;
    private final boolean cpu;
    private final RowSplit rowSplit;        // null unless decode rows are split across Java threads

    /** With an explicit kernel choice ({@link CpuKernels#fromSystemProperties} for a deployment's settings). */
    public LlamaModel(ModelConfig config, LlamaWeights weights, CpuKernels kernels) {
        this.config = config;
        this.kernels = kernels;
        this.cpu = weights.manager().getDevice().equals(ai.djl.Device.cpu());
        this.rowSplit = cpu && kernels.decodeSplit() > 1 ? new RowSplit(kernels.decodeSplit()) : null;
        this.weights = weights;
        this.dtype = weights.dataType();
        this.rope = new RopeTables(weights.manager(), config, dtype);
        this.device = weights.manager().getDevice();
        this.epsilonComponent = (float) Math.sqrt(config.hiddenSize() * config.rmsNormEps());
        this.qkvSplit = new long[] {config.heads(), config.kvHeads(), config.kvHeads()};
        this.qkAndVSplit = new long[] {config.heads() + config.kvHeads(), config.kvHeads()};
        this.gateUpSplit = new long[] {config.intermediateSize(), config.intermediateSize()};
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

    /** The CPU kernels in use (for reports). */
    public CpuKernels kernels() {
        return kernels;
    }

    /** Where the current forward's tokens sit and how they see the cache. */
    private record Step(long batch, int steps, int start, NDArray rotation, NDArray cos, NDArray sin, NDArray mask,
                        int sharedPrefix, boolean sharedRotation) {
        boolean decode() {
            return steps == 1;
        }

        int total() {
            return start + steps;
        }
    }

    /**
     * Runs tokens {@code ids} of one sequence at positions {@code start .. start+T-1} (T = ids.length),
     * writing their keys and values into {@code cache}, and returns logits in the compute type: [1, vocab]
     * for the last position, or [1, T, vocab] when {@code allPositions}.
     */
    public NDArray forward(int[] ids, int start, KvCache cache, boolean allPositions) {
        int steps = ids.length;
        Step step = steps == 1
                ? new Step(1, 1, start, rope.rotation(start), null, null, null, 0, true)
                : new Step(1, steps, start, null, rope.cos(start, steps), rope.sin(start, steps),
                        causalMask(weights.manager(), start, steps), 0, true);
        return run(ids, step, cache, allPositions);
    }

    /**
     * The batched form, for rows whose tokens share cache slots but not positions: {@code ids} holds
     * {@code batch} rows of T tokens each, row-major; row b's tokens sit at
     * slots {@code start .. start+T-1} with RoPE positions {@code positions[b]} ([batch, T] int64), and
     * row b may attend only to the slots where {@code slotMask[b]} ([batch, capacity], additive: 0 or
     * -1e9) is 0 — left padding and gaps between a shared prefix and a shorter suffix are masked there.
     * Because RoPE encodes positions in the keys themselves, a row's keys can sit at any slot.
     */
    public NDArray forward(int[] ids, int batch, int start, NDArray positions, NDArray slotMask, KvCache cache,
                           boolean allPositions) {
        return forward(ids, batch, start, positions, slotMask, cache, 0, allPositions);
    }

    /**
     * The batched form when every row holds the same first {@code sharedPrefix} slots (a note's prompt
     * prefix computed once and copied into each row): attention over those slots reads one row's keys
     * and values for all rows' queries at once instead of every row's copy. With long notes and several
     * questions the prefix dominates the KV cache, so this cuts the memory each decode step reads.
     */
    public NDArray forward(int[] ids, int batch, int start, NDArray positions, NDArray slotMask, KvCache cache,
                           int sharedPrefix, boolean allPositions) {
        if (batch < 1 || ids.length % batch != 0) {
            throw new IllegalArgumentException(ids.length + " token ids do not make " + batch + " equal rows");
        }
        int steps = ids.length / batch;
        int total = start + steps;
        NDArray mask = reshape(slice(slotMask, 1, 0, total), batch, 1, 1, 1, total);
        if (steps > 1) {
            mask = add(mask, causalMask(weights.manager(), start, steps));                  // [B, 1, 1, T, S]
        }
        int shared = batch > 1 ? Math.min(sharedPrefix, start) : 0;
        Step step = steps == 1
                ? new Step(batch, 1, start, rope.rotation(positions, batch), null, null, mask, shared, false)
                : new Step(batch, steps, start, null,
                        reshape(rope.cosAt(positions), batch, 1, steps, config.headDim()),   // [B, 1, T, head_dim]
                        reshape(rope.sinAt(positions), batch, 1, steps, config.headDim()), mask, shared, false);
        return run(ids, step, cache, allPositions);
    }

    private NDArray run(int[] ids, Step step, KvCache cache, boolean allPositions) {
        if (rowSplit == null || step.batch() * step.steps() != 1) {
            return runLayers(ids, step, cache, allPositions);
        }
        // Split one-row products: the other ops of the step run on one thread too (llama.cpp's cores are busy
        // with their own rows; an OpenMP team beside the Java workers would oversubscribe the cores).
        return PyTorchRuntime.withThreads(1, () -> runLayers(ids, step, cache, allPositions));
    }

    private NDArray runLayers(int[] ids, Step step, KvCache cache, boolean allPositions) {
        long rows = step.batch() * step.steps();
        NDArray x = weights.residualRows(ids, epsilonComponent);                          // [rows, hidden + 1]
        for (int layer = 0; layer < config.layers(); layer++) {
            LlamaWeights.Layer w = weights.layer(layer);
            NDArray input = x;
            int l = layer;
            long allRows = rows;
            if (step.decode()) {
                x = freeingTemporaries(() -> attention(input, w, l, step, cache));
                NDArray afterAttention = x;
                x = freeingTemporaries(() -> mlp(afterAttention, w, allRows));
            } else {
                x = attention(input, w, l, step, cache);
                x = mlp(x, w, allRows);
            }
        }
        if (!allPositions && step.steps() > 1) {
            // Only the last position of each row feeds the next token.
            x = reshape(slice(reshape(x, step.batch(), step.steps(), -1), 1, step.steps() - 1, step.steps()),
                    step.batch(), -1);
            rows = step.batch();
        }
        NDArray logits = linear(normalize(x), weights.lmHead(), null, rows);
        return allPositions ? reshape(logits, step.batch(), step.steps(), config.vocabSize()) : logits;
    }

    /**
     * Runs one block and frees its temporaries as soon as it ends, keeping only its output (in the caller's
     * scope). Freed buffers go straight back to the allocator, so the next block's outputs reuse memory that
     * was touched a block ago and still sits in the CPU's cache; with one scope per step, each op wrote to a
     * buffer last touched a whole step (all weights streamed) ago, a cache miss for every small op.
     * Decode steps only: a prompt's temporaries are megabytes each, and freeing them block by block made
     * glibc hand them back to the kernel and fault them in again (a batch of 8 questions over a 1,000-token
     * note prefilled in 1.7 s instead of 1.0 s).
     */
    private static NDArray freeingTemporaries(java.util.function.Supplier<NDArray> block) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            out = block.get();
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /** x + o_proj(self-attention(rms_norm(x))) for one layer. */
    private NDArray attention(NDArray x, LlamaWeights.Layer w, int layer, Step step, KvCache cache) {
        int nh = config.heads();
        int nkv = config.kvHeads();
        int hd = config.headDim();
        long batch = step.batch();
        int steps = step.steps();
        long rows = batch * steps;
        NDArray qkv = linear(normalize(x), w.qkvProj(), null, rows);  // [rows, (nh + 2 nkv) * hd]
        NDArray q;
        NDArray k;
        NDArray v;
        if (step.decode() && step.sharedRotation()) {
            // One token of one sequence: the memory order already is [1, heads, 1, hd]. RoPE: a matrix product
            // each for q and k with the position's [hd, hd] rotation.
            NDList heads = split(reshape(qkv, batch, nh + 2L * nkv, 1, hd), qkvSplit, 1);
            q = matmul(heads.get(0), step.rotation());
            k = matmul(heads.get(1), step.rotation());
            v = heads.get(2);
        } else if (step.decode()) {
            // One rotation per row ([B, 1, hd, hd]): rows as the batch axis of one bmm over the q and k heads
            // together. Broadcasting it over the heads instead would copy it once per head and row (16 MB per
            // step at batch 8 on the small model, 1 GB on the 7B shape).
            NDList qkAndV = split(reshape(qkv, batch, nh + 2L * nkv, 1, hd), qkAndVSplit, 1);
            NDArray qk = reshape(matmul(reshape(qkAndV.get(0), batch, 1, nh + nkv, hd), step.rotation()),
                    batch, nh + nkv, 1, hd);
            q = slice(qk, 1, 0, nh);
            k = slice(qk, 1, nh, nh + nkv);
            v = qkAndV.get(1);
        } else {
            NDArray heads = permute(reshape(qkv, batch, steps, nh + 2L * nkv, hd), 0, 2, 1, 3);  // [B, H, T, hd]
            NDArray qk = rotate(slice(heads, 1, 0, nh + nkv), step.cos(), step.sin());          // q and k together
            q = slice(qk, 1, 0, nh);
            k = slice(qk, 1, nh, nh + nkv);
            v = slice(heads, 1, nh + nkv, nh + 2L * nkv);
        }
        cache.write(layer, step.start(), steps, k, v);

        NDArray context;                                             // [B, nkv, group*T, hd] = [B, nh, T, hd]
        if (steps <= QUERY_CHUNK) {
            context = attend(q, step.mask(), cache, layer, step, steps);
        } else {
            // Long prompts: queries in chunks, so no score tensor grows past ~QUERY_CHUNK x S per head.
            // One [heads, T, T] tensor of a 1,000-token prompt is 33 MB per layer, allocated fresh by each op
            // and page-faulted in: prefill of 1,024 tokens took 2.0 s instead of ~0.5 s on this machine.
            NDList parts = new NDList();
            int maskAxis = step.mask().getShape().dimension() - 2;
            for (int from = 0; from < steps; from += QUERY_CHUNK) {
                int to = Math.min(steps, from + QUERY_CHUNK);
                NDArray chunk = slice(q, 2, from, to);
                NDArray chunkMask = slice(step.mask(), maskAxis, from, to);
                parts.add(reshape(attend(chunk, chunkMask, cache, layer, step, to - from), batch, nh, to - from, hd));
            }
            context = NDArrays.concat(parts, 2);
        }
        context = step.decode() ? reshape(context, batch, (long) nh * hd)
                : reshape(permute(reshape(context, batch, nh, steps, hd), 0, 2, 1, 3), rows, (long) nh * hd);
        return linear(context, w.oProj(), x, rows);
    }

    /**
     * softmax(q·Kᵀ + mask)·V for queries {@code q} ([B, nh, T, hd]) against cache slots
     * [0, total). Grouped-query attention without copying K/V per query head: the {@code group} query heads
     * that share a kv head are laid out as extra rows of that head ([B, nkv, group*T, hd]).
     */
    private NDArray attend(NDArray q, NDArray mask, KvCache cache, int layer, Step step, int steps) {
        long batch = step.batch();
        int total = step.total();
        int shared = step.sharedPrefix();
        int nkv = config.kvHeads();
        int hd = config.headDim();
        int group = config.groupSize();
        if (group > 1) {
            q = reshape(q, batch, nkv, (long) group * steps, hd);
        }
        long rowsPerHead = (long) group * steps;
        NDArray scores;
        if (shared > 0) {
            // Prefix slots: every row's queries as extra rows against row 0's keys ([1, nkv, B*rows, P]).
            NDArray qAll = reshape(permute(q, 1, 0, 2, 3), 1, nkv, batch * rowsPerHead, hd);
            NDArray prefixScores = permute(reshape(matmul(qAll, cache.prefixKeys(layer, shared)),
                    nkv, batch, rowsPerHead, shared), 1, 0, 2, 3);
            NDArray ownScores = matmul(q, cache.keys(layer, shared, total));
            scores = concat(prefixScores, ownScores, 3);         // [B, nkv, group*T, S]
        } else {
            scores = matmul(q, cache.keys(layer, 0, total));     // [B, nkv, group*T, S]; the cache holds Kᵀ
        }
        if (mask != null) {
            scores = reshape(add(reshape(scores, batch, nkv, group, steps, total), mask), batch, nkv, rowsPerHead, total);
        }
        NDArray probs = softmax(scores);
        if (shared == 0) {
            return matmul(probs, cache.values(layer, 0, total));
        }
        NDArray prefixProbs = reshape(permute(slice(probs, 3, 0, shared), 1, 0, 2, 3), 1, nkv, batch * rowsPerHead, shared);
        NDArray fromPrefix = permute(reshape(matmul(prefixProbs, cache.prefixValues(layer, shared)),
                nkv, batch, rowsPerHead, hd), 1, 0, 2, 3);
        NDArray fromOwn = matmul(slice(probs, 3, shared, total), cache.values(layer, shared, total));
        return add(fromPrefix, fromOwn);
    }

    /** x + down(silu(gate) * up) with gate, up from one fused matmul of rms_norm(x); silu(g) = g * sigmoid(g). */
    private NDArray mlp(NDArray x, LlamaWeights.Layer w, long rows) {
        NDList gateUp = split(linear(normalize(x), w.gateUpProj(), null, rows), gateUpSplit, 1);
        NDArray gate = gateUp.get(0);
        NDArray act = muli(muli(sigmoid(gate), gate), gateUp.get(1));
        return linear(act, w.downProj(), x, rows);
    }

    /**
     * HF rotate-half RoPE for a prompt: x * cos + rotate_half(x) * sin with rotate_half(x) = [-x2, x1], the
     * latter as one small matmul with a signed permutation (1 op instead of slice, negate, slice, concat).
     */
    private NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        return addi(mul(x, cos), muli(matmul(x, rope.rotateHalf()), sin));
    }

    /**
     * RMSNorm without its gain (folded into the next matmul) as one call: the unit vector of
     * {@code [x, c]}, see the class comment. In float32, as HF computes it.
     */
    private NDArray normalize(NDArray x) {
        if (dtype == DataType.FLOAT32) {
            return TorchOps.normalize(x);
        }
        // f16 squares overflow on LLaMA's large activations: normalize in float32, as HF does.
        return toType(TorchOps.normalize(toType(x, DataType.FLOAT32, device)), dtype, device);
    }

    /** Softmax over the last axis, in float32 as HF does. */
    private NDArray softmax(NDArray scores) {
        if (dtype == DataType.FLOAT32) {
            return TorchOps.softmax(scores, DataType.FLOAT32);
        }
        return toType(TorchOps.softmax(toType(scores, DataType.FLOAT32, device), DataType.FLOAT32), dtype, device);
    }

    /**
     * {@code x · Wᵀ (+ residual)} for 2-D {@code x} with HF's [out, in] weight layout, without transposing the
     * weight; the residual add rides along as addmm's bias. For 2-16 rows (batched decode) it is computed as
     * (W · xᵀ)ᵀ: MKL's sgemm repacks the whole weight matrix for a thin x, which made 2-8 rows 2-5x slower
     * than one (measured on the lm_head shape); with W as the tall operand it streams W once like the
     * one-row matrix-vector product.
     */
    private NDArray linear(NDArray x, NDArray weight, NDArray residual, long rows) {
        if (rows == 1 && rowSplit != null) {
            return rowSplit.linear(x, weight, residual);
        }
        if (kernels.useOnednn(rows, dtype, cpu)) {
            NDArray product = CpuKernels.onednnLinear(x, weight);
            return residual == null ? product : addi(product, residual);
        }
        if (rows < 2 || rows > THIN_ROWS) {
            return TorchOps.linear(x, weight, residual);
        }
        NDArray out = permute(matmul(weight, permute(x, 1, 0)), 1, 0);
        // Keep activations row-major: an op's output takes its first input's layout, and a column-major x
        // here would turn the next thin matmul into MKL's slow repacking case (batch-2 steps took 2x batch 1).
        return residual == null ? TorchOps.contiguous(out) : add(residual, out);
    }

    /** x · Wᵀ for one row as a decode step computes it (the row split when on): the bench's decode-kernel floor. */
    public NDArray decodeProduct(NDArray x, NDArray weight) {
        return rowSplit == null ? linear(x, weight, null, 1)
                : PyTorchRuntime.withThreads(1, () -> rowSplit.linear(x, weight, null));
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
     * Native ops one greedy decode step of one sequence issues (f32, MHA), counted from {@link #forward}:
     * per layer attention 15 (normalize, qkv matmul, reshape, split into q, k and v, 2 RoPE matmuls,
     * 2 cache writes, key slice, scores, softmax, value slice, context, reshape, o_proj with the
     * residual) and MLP 7
     * (normalize, gate/up matmul, split, sigmoid, 2 products, down_proj with the residual); per step the
     * upload of the embedding rows (gathered in Java, constant column included), the rotation (a view of the
     * current 64-position block; building a block takes 6 more ops once per 64 steps), final
     * normalization, lm_head, argmax and its download. Each costs ~2-10 µs of JNI and dispatch on top of its
     * arithmetic.
     */
    public int opsPerDecodeStep() {
        int perLayer = 15 + 7;
        return config.layers() * perLayer + 5;
    }

    /** Bytes one token takes in the KV cache (keys and values, all layers). */
    public long kvBytesPerToken() {
        return 2L * config.layers() * config.kvHeads() * config.headDim() * dtype.getNumOfBytes();
    }

    @Override
    public void close() {
        if (rowSplit != null) {
            rowSplit.close();
        }
        weights.close();
    }
}
