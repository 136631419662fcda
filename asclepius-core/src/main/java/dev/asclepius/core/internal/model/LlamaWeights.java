package dev.asclepius.core.internal.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.LoadListener;
import dev.asclepius.core.LoadProgress;
import dev.asclepius.core.internal.checkpoint.Checkpoint;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.checkpoint.StoredTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The model's weights as NDArrays on the target device and type, in the fused layout {@link LlamaModel}
 * uses. Loading goes one tensor at a time, so converting (f32 to f16, bf16 to anything) or moving to a
 * GPU never holds two full copies of the model: each source tensor is a memory-mapped view that is
 * released as soon as its converted copy exists.
 */
public final class LlamaWeights implements AutoCloseable {

    /**
     * One transformer block. {@code qkvProj} carries the input RMSNorm gain and {@code gateUpProj} the
     * post-attention RMSNorm gain, folded into their columns (times sqrt(hidden)), each with a zero column
     * appended for the residual stream's constant component; {@code oProj} and {@code downProj} have a zero
     * row appended so their outputs leave that component alone (see {@link LlamaModel}).
     */
    public record Layer(NDArray qkvProj, NDArray oProj, NDArray gateUpProj, NDArray downProj) {
    }

    private final NDManager manager;
    private final DataType dtype;
    private final StoredTensor embedTokens;   // [vocab, hidden] as stored: a view of the file, never copied
    private final NDArray lmHead;
    private final List<Layer> layers;

    private LlamaWeights(NDManager manager, DataType dtype, StoredTensor embedTokens, NDArray lmHead, List<Layer> layers) {
        this.manager = manager;
        this.dtype = dtype;
        this.embedTokens = embedTokens;
        this.lmHead = lmHead;
        this.layers = List.copyOf(layers);
    }

    /**
     * Loads every tensor {@code config} calls for from {@code checkpoint} into a new manager on
     * {@code device}, checking each shape against the config.
     */
    public static LlamaWeights load(Checkpoint checkpoint, ModelConfig config, Device device, DataType dtype,
                                    NDManager parent) {
        return load(checkpoint, config, device, dtype, parent, LoadListener.NONE);
    }

    /** {@link #load(Checkpoint, ModelConfig, Device, DataType, NDManager)}, telling {@code listener} after each layer. */
    public static LlamaWeights load(Checkpoint checkpoint, ModelConfig config, Device device, DataType dtype,
                                    NDManager parent, LoadListener listener) {
        NDManager manager = parent.newSubManager(device);
        try {
            Loader loader = new Loader(checkpoint, config, manager, dtype, new Progress(checkpoint, config, listener));
            int h = config.hiddenSize();
            int hd = config.headDim();
            long qRows = (long) config.heads() * hd;
            long kvRows = (long) config.kvHeads() * hd;
            long inter = config.intermediateSize();
            String embedName = "model.embed_tokens.weight";
            loader.stored(embedName, new long[] {config.vocabSize(), h});   // checked before the long part
            List<Layer> layers = new ArrayList<>();
            // Folded into the query rows: the attention scale (see LlamaModel).
            float queryScale = (float) (1.0 / Math.sqrt(hd));
            for (int i = 0; i < config.layers(); i++) {
                String p = "model.layers." + i + ".";
                try (NDArray inputGain = loader.gain(p + "input_layernorm.weight");
                     NDArray postGain = loader.gain(p + "post_attention_layernorm.weight")) {
                    layers.add(new Layer(
                            loader.fused(new String[] {p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight",
                                    p + "self_attn.v_proj.weight"},
                                    new long[][] {{qRows, h}, {kvRows, h}, {kvRows, h}}, queryScale, inputGain),
                            loader.withZeroRow(p + "self_attn.o_proj.weight", h, qRows),
                            loader.fused(new String[] {p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"},
                                    new long[][] {{inter, h}, {inter, h}}, 1f, postGain),
                            loader.withZeroRow(p + "mlp.down_proj.weight", h, inter)));
                }
                loader.releaseMappings();   // this layer is copied: drop its file pages before the next
                loader.progress.report();
            }
            String headName = "lm_head.weight";
            if (config.tieWordEmbeddings()) {
                headName = "model.embed_tokens.weight";
            } else if (!checkpoint.contains(headName)) {
                throw new CheckpointException("Checkpoint " + checkpoint.format() + " has no 'lm_head.weight' and "
                        + "config.json does not set tie_word_embeddings=true: the checkpoint is incomplete.");
            }
            NDArray head;
            try (NDArray finalGain = loader.gain("model.norm.weight")) {
                head = loader.fused(new String[] {headName}, new long[][] {{config.vocabSize(), h}}, 1f, finalGain);
            }
            loader.releaseMappings();
            // The embedding is only gathered from (one row per token, in Java: see residualRows), so it stays a
            // view of the file, mapped afresh after loading: only the rows of tokens seen become resident, and a
            // GPU holds no copy.
            StoredTensor embed = loader.stored(embedName, new long[] {config.vocabSize(), h});
            if (!config.tieWordEmbeddings()) {
                FiniteWeights.require(embed);   // tied: already checked as lm_head
            }
            loader.progress.report();
            return new LlamaWeights(manager, dtype, embed, head, layers);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public NDManager manager() {
        return manager;
    }

    public DataType dataType() {
        return dtype;
    }

    /**
     * The residual stream's first value for {@code ids}: each token's embedding row with the constant
     * component {@code constant} appended, [ids.length, hidden + 1] in the compute type on the device.
     * Gathered in Java from the mapped file and uploaded as one array: as native ops (upload the ids, reshape,
     * embedding, concat) it took four calls, ~25 µs hot and ~130 µs as the first, cold ops of a decode step.
     */
    public NDArray residualRows(int[] ids, float constant) {
        int vocab = Math.toIntExact(embedTokens.shape()[0]);
        int width = Math.toIntExact(embedTokens.shape()[1]) + 1;
        ByteBuffer buffer = ByteBuffer.allocateDirect(Math.multiplyExact(ids.length, width) * Float.BYTES)
                .order(ByteOrder.nativeOrder());
        java.nio.FloatBuffer rows = buffer.asFloatBuffer();
        for (int id : ids) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocab + ")");
            }
            embedTokens.copyRowAsFloatsTo(id, rows);
            rows.put(constant);
        }
        NDArray x = manager.create(buffer, new Shape(ids.length, width), DataType.FLOAT32);   // over the buffer on a CPU
        Device device = manager.getDevice();
        return dtype == DataType.FLOAT32 && device.equals(Device.cpu()) ? x : TorchOps.toType(x, dtype, device);
    }

    /** lm_head (or the tied embedding) with the final RMSNorm gain folded into its columns, plus a zero column. */
    public NDArray lmHead() {
        return lmHead;
    }

    public Layer layer(int index) {
        return layers.get(index);
    }

    /** Every large matrix a decode step streams once (fused projections and lm_head), for benchmarks. */
    public List<NDArray> decodeMatrices() {
        List<NDArray> out = new ArrayList<>();
        for (Layer l : layers) {
            out.addAll(List.of(l.qkvProj(), l.oProj(), l.gateUpProj(), l.downProj()));
        }
        out.add(lmHead);
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }

    /**
     * Counts the tensors read against those the config calls for (each name once: a tied lm_head is the
     * embedding) and tells the listener.
     */
    private static final class Progress {
        private final Checkpoint checkpoint;
        private final LoadListener listener;
        private final Set<String> expected;
        private final Set<String> seen = new HashSet<>();
        private final long totalBytes;
        private final long started = System.nanoTime();
        private long bytes;

        Progress(Checkpoint checkpoint, ModelConfig config, LoadListener listener) {
            this.checkpoint = checkpoint;
            this.listener = listener;
            this.expected = expectedNames(config);
            long total = 0;
            for (String name : expected) {
                total += checkpoint.byteLength(name);
            }
            this.totalBytes = total;
        }

        private static Set<String> expectedNames(ModelConfig config) {
            Set<String> names = new LinkedHashSet<>();
            names.add("model.embed_tokens.weight");
            for (int i = 0; i < config.layers(); i++) {
                String p = "model.layers." + i + ".";
                for (String suffix : List.of("input_layernorm.weight", "post_attention_layernorm.weight",
                        "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
                        "self_attn.o_proj.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight")) {
                    names.add(p + suffix);
                }
            }
            names.add("model.norm.weight");
            names.add(config.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight");
            return names;
        }

        void read(String name) {
            if (expected.contains(name) && seen.add(name)) {
                bytes += checkpoint.byteLength(name);
            }
        }

        void report() {
            listener.onProgress(new LoadProgress(bytes, totalBytes, seen.size(), expected.size(),
                    Duration.ofNanos(System.nanoTime() - started)));
        }
    }

    /** Turns stored tensors into device arrays of the compute type. */
    private static final class Loader {
        private final Checkpoint checkpoint;
        private final ModelConfig config;
        private final NDManager manager;
        private final DataType dtype;
        private final Set<String> used = new HashSet<>();

        final Progress progress;

        Loader(Checkpoint checkpoint, ModelConfig config, NDManager manager, DataType dtype, Progress progress) {
            this.progress = progress;
            this.checkpoint = checkpoint;
            this.config = config;
            this.manager = manager;
            this.dtype = dtype;
        }

        /**
         * Unmaps every tensor read so far. Safe because every weight is a fresh array (a copy, conversion or
         * product) and each wrapper over the file was closed; the embedding is mapped again after the last call.
         */
        void releaseMappings() {
            for (String name : used) {
                checkpoint.release(name);
            }
            used.clear();
        }

        /**
         * An RMSNorm gain [hidden] as float32 on the device, times sqrt(hidden), to fold into a matrix: the
         * model normalizes to a unit vector, which is RMSNorm's output divided by sqrt(hidden).
         */
        NDArray gain(String name) {
            NDArray view = wrap(stored(name, new long[] {config.hiddenSize()}));
            NDArray current = replace(view, view.toDevice(manager.getDevice(), false));
            current = replace(current, current.toType(DataType.FLOAT32, true));
            try {
                FiniteWeights.require(current, name);
            } catch (RuntimeException e) {
                current.close();
                throw e;
            }
            return replace(current, current.mul((float) Math.sqrt(config.hiddenSize())));
        }

        /**
         * The stored matrix [out, in] with a zero row appended ([out + 1, in]): an output component that stays
         * 0. Built by copying into the final array, so the matrix is never held twice.
         */
        NDArray withZeroRow(String name, long out, long in) {
            NDArray view = wrap(stored(name, new long[] {out, in}));
            NDArray padded = manager.zeros(new Shape(out + 1, in), dtype);
            try {
                TorchOps.write(padded, view, new long[] {0, 0}, new long[] {out, in});   // converts type and device
                FiniteWeights.require(padded, name);   // the zero row adds nothing to the sum
                return padded;
            } catch (RuntimeException e) {
                padded.close();
                throw e;
            } finally {
                view.close();
            }
        }

        /**
         * Matrices stacked along the output axis into one [Σ out, in + 1] matrix whose last column is zero (an
         * input component that is ignored), every column multiplied by {@code columnGain}, the first matrix's
         * rows also by {@code firstScale}. Scaled in float32 inside the final array (in place), so a matrix is
         * held at most once in float32 plus once in the compute type, and never aliases the file.
         */
        NDArray fused(String[] names, long[][] shapes, float firstScale, NDArray columnGain) {
            long rows = 0;
            for (long[] shape : shapes) {
                rows += shape[0];
            }
            long in = shapes[0][1];
            NDArray stacked = manager.zeros(new Shape(rows, in + 1), DataType.FLOAT32);
            try {
                long at = 0;
                for (int i = 0; i < names.length; i++) {
                    try (NDArray view = wrap(stored(names[i], shapes[i]))) {
                        TorchOps.write(stacked, view, new long[] {at, 0}, new long[] {at + shapes[i][0], in});
                    }
                    try (NDArray rowsOfThis = TorchOps.slice(stacked, 0, at, at + shapes[i][0])) {
                        FiniteWeights.require(rowsOfThis, names[i]);   // float32 here, whatever the stored type
                    }
                    if (i == 0 && firstScale != 1f) {
                        try (NDArray scale = manager.create(firstScale)) {
                            TorchOps.muli(TorchOps.slice(stacked, 0, 0, shapes[0][0]), scale).close();
                        }
                    }
                    at += shapes[i][0];
                }
                try (NDArray one = manager.ones(new Shape(1), DataType.FLOAT32);
                     NDArray gain = columnGain.concat(one)) {   // [in + 1]: the zero column stays zero
                    TorchOps.muli(stacked, gain);
                }
                if (dtype == DataType.FLOAT32) {
                    return stacked;
                }
                return replace(stacked, stacked.toType(dtype, false));
            } catch (RuntimeException e) {
                stacked.close();
                throw e;
            }
        }

        private static NDArray replace(NDArray old, NDArray next) {
            if (next != old) {
                old.close();
            }
            return next;
        }

        private StoredTensor stored(String name, long[] expected) {
            used.add(name);
            if (!checkpoint.contains(name)) {
                throw new CheckpointException("Tensor '" + name + "' is missing from the " + checkpoint.format()
                        + " checkpoint; the checkpoint does not match config.json (" + config.modelType() + ", "
                        + config.layers() + " layers) or a shard is incomplete.");
            }
            StoredTensor t = checkpoint.tensor(name);
            progress.read(name);
            if (!Arrays.equals(t.shape(), expected)) {
                throw new CheckpointException("Tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                        + " but config.json implies " + Arrays.toString(expected)
                        + ": config.json and the weights do not belong to the same model.");
            }
            return t;
        }

        /** An NDArray over the stored bytes; BF16 (which DJL cannot hold) is converted in Java first. */
        private NDArray wrap(StoredTensor t) {
            Shape shape = new Shape(t.shape());
            if (t.type() == StorageType.F32) {
                return manager.create(t.data(), shape, DataType.FLOAT32);
            }
            if (t.type() == StorageType.F16) {
                return manager.create(t.data(), shape, DataType.FLOAT16);
            }
            // BF16: any BFLOAT16 NDArray aborts the JVM in DJL 0.36, so convert to the compute type here.
            int count = Math.toIntExact(t.numel());
            if (dtype == DataType.FLOAT16) {
                ByteBuffer buf = ByteBuffer.allocateDirect(count * 2).order(ByteOrder.nativeOrder());
                t.copyAsHalfTo(buf.asShortBuffer());
                return manager.create(buf, shape, DataType.FLOAT16);
            }
            ByteBuffer buf = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder());
            t.copyAsFloatsTo(buf.asFloatBuffer());
            return manager.create(buf, shape, DataType.FLOAT32);
        }
    }
}
