package dev.asclepius.core.internal.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.asclepius.core.CheckpointException;
import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.checkpoint.StoredTensor;
import java.nio.ByteBuffer;

/** The load-time check that every weight is finite (used by {@link LlamaWeights}). */
final class FiniteWeights {
    private FiniteWeights() {
    }

    /**
     * Refuses a weight holding NaN or an infinity, naming it: such a checkpoint (a bad conversion, a diverged
     * run, a corrupted download) would otherwise generate garbage and exit 0. One native reduction per tensor:
     * the sum of finite values is finite unless the values are absurdly large (beyond 1e30 in float32), and
     * only then does the exact elementwise test run, so finite weights are never refused.
     */
    static void require(NDArray weights, String name) {
        float sum;
        try (NDArray total = weights.sum()) {
            sum = total.toType(DataType.FLOAT32, false).getFloat();
        }
        if (Float.isFinite(sum)) {
            return;
        }
        boolean bad;
        try (NDArray nan = weights.isNaN(); NDArray inf = weights.isInfinite(); NDArray either = nan.logicalOr(inf);
             NDArray any = either.any()) {
            bad = any.getBoolean();
        }
        if (bad) {
            throw nonFinite(name);
        }
    }

    /**
     * The same check for a tensor read straight from the file (the embedding, which is never copied): a scan
     * of its bit patterns for an all-ones exponent, without converting anything.
     */
    static void require(StoredTensor t) {
        ByteBuffer data = t.data();
        switch (t.type()) {
            case F32 -> {
                java.nio.IntBuffer bits = data.asIntBuffer();
                int[] chunk = new int[8192];
                while (bits.hasRemaining()) {
                    int n = Math.min(chunk.length, bits.remaining());
                    bits.get(chunk, 0, n);
                    for (int i = 0; i < n; i++) {
                        if ((chunk[i] & 0x7f800000) == 0x7f800000) {
                            throw nonFinite(t.name());
                        }
                    }
                }
            }
            case F16, BF16 -> {
                int exponent = t.type() == StorageType.F16 ? 0x7c00 : 0x7f80;
                java.nio.ShortBuffer bits = data.asShortBuffer();
                short[] chunk = new short[16384];
                while (bits.hasRemaining()) {
                    int n = Math.min(chunk.length, bits.remaining());
                    bits.get(chunk, 0, n);
                    for (int i = 0; i < n; i++) {
                        if ((chunk[i] & exponent) == exponent) {
                            throw nonFinite(t.name());
                        }
                    }
                }
            }
        }
    }

    private static CheckpointException nonFinite(String name) {
        return new CheckpointException("Tensor '" + name + "' holds NaN or infinite values: the checkpoint is"
                + " corrupted or was saved from a diverged model, and would generate garbage. Download it again or"
                + " check how it was converted (e.g. torch.isfinite(state_dict['" + name + "']).all()).");
    }
}
