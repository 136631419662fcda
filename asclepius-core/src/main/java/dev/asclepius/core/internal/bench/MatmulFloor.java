package dev.asclepius.core.internal.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Physical floors a forward pass is measured against, timed on the model's own weight matrices in the
 * same process: streaming every decode matrix once (the memory-bandwidth floor of one decode step) and
 * the same matmuls over a batch of rows (the machine's matmul throughput at the prefill shape).
 */
public final class MatmulFloor {
    private MatmulFloor() {
    }

    /**
     * Median seconds to run {@code rows} × every matrix once (x · Wᵀ), over {@code repeat} sweeps after one
     * warm-up sweep.
     */
    public static double sweepSeconds(NDManager manager, List<NDArray> matrices, int rows, int repeat) {
        return sweepSeconds(manager, matrices, rows, repeat, (x, w) -> x.getNDArrayInternal().linear(x, w, null).singletonOrThrow());
    }

    /** {@link #sweepSeconds(NDManager, List, int, int)} with {@code product(x, W)} computing x · Wᵀ. */
    public static double sweepSeconds(NDManager manager, List<NDArray> matrices, int rows, int repeat,
                                      java.util.function.BinaryOperator<NDArray> product) {
        dev.asclepius.core.internal.engine.PyTorchRuntime.noGrad();
        double[] times = new double[repeat];
        for (int r = -1; r < repeat; r++) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray[] inputs = new NDArray[matrices.size()];
                for (int i = 0; i < inputs.length; i++) {
                    NDArray w = matrices.get(i);
                    inputs[i] = manager.randomNormal(new Shape(rows, w.getShape().get(1))).toType(w.getDataType(), false);
                }
                long start = System.nanoTime();
                NDArray sink = null;
                for (int i = 0; i < inputs.length; i++) {
                    NDArray w = matrices.get(i);
                    sink = product.apply(inputs[i], w);
                }
                sink.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).getFloat(0, 0); // wait for async devices
                if (r >= 0) {
                    times[r] = (System.nanoTime() - start) / 1e9;
                }
            }
        }
        return median(times);
    }

    /** Bytes of all matrices. */
    public static long bytes(List<NDArray> matrices) {
        long total = 0;
        for (NDArray m : matrices) {
            total += m.getShape().size() * m.getDataType().getNumOfBytes();
        }
        return total;
    }

    /** Floating-point operations of {@code rows} × every matrix (2 per multiply-add). */
    public static double flops(List<NDArray> matrices, int rows) {
        double total = 0;
        for (NDArray m : matrices) {
            total += 2.0 * rows * m.getShape().size();
        }
        return total;
    }

    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
