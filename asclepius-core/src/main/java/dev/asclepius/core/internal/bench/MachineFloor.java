package dev.asclepius.core.internal.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.asclepius.core.internal.engine.PyTorchRuntime;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * The machine's own floors, as opposed to {@link MatmulFloor} (PyTorch's matmul streaming the weights): what
 * the memory and the cores deliver when driven the way a tuned kernel drives them, one Java thread per core,
 * each running single-threaded work on its own part (no OpenMP team), as llama.cpp does.
 * <ul>
 *   <li>stream: every decode matrix read once, each thread summing its own block of rows with a
 *       single-threaded {@code torch.sum} (AVX-512 where the CPU has it); and, to compare, Java threads
 *       xor-ing the longs of an off-heap buffer (scalar loads: a lower bound on what the memory gives);
 *   <li>GEMM: each thread multiplying its own square matrices single-threaded, with MKL ({@code matmul}) and
 *       with oneDNN (a 1x1 convolution), the faster being the machine's matmul rate as far as PyTorch reaches it.
 * </ul>
 * Threads here are Java threads; each sets one intra-op thread for itself (a per-thread setting).
 */
public final class MachineFloor implements AutoCloseable {
    private final int threads;
    private final ExecutorService pool;

    /** What was measured; seconds are medians. */
    public record Result(int threads, long bytes, double torchStreamSeconds, double torchStreamGBps,
                         double javaStreamGBps, double mklGemmGflops, double onednnGemmGflops) {
        /** The faster stream rate: the machine's bandwidth floor as far as this process reaches it. */
        public double streamGBps() {
            return Math.max(torchStreamGBps, javaStreamGBps);
        }

        /** Seconds to stream {@code bytes} once at {@link #streamGBps()}. */
        public double streamSeconds() {
            return bytes / (streamGBps() * 1e9);
        }

        public double gemmGflops() {
            return Math.max(mklGemmGflops, onednnGemmGflops);
        }
    }

    public MachineFloor(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(() -> {
                PyTorchRuntime.noGrad();
                PyTorchRuntime.applyThreads(1);
                r.run();
            }, "asclepius-machine-floor");
            t.setDaemon(true);
            return t;
        });
    }

    /** Measures all floors for {@code matrices} (the decode matrices), {@code repeat} sweeps each. */
    public Result measure(NDManager manager, List<NDArray> matrices, int repeat) {
        long bytes = MatmulFloor.bytes(matrices);
        double torch = torchStreamSeconds(matrices, repeat);
        double java = javaStreamGBps(Math.min(bytes, 512L << 20), repeat);
        return new Result(threads, bytes, torch, bytes / torch / 1e9, java, gemmGflops(manager, false, repeat),
                gemmGflops(manager, true, repeat));
    }

    /** Median seconds for the threads to sum every matrix once, each thread its own block of rows. */
    public double torchStreamSeconds(List<NDArray> matrices, int repeat) {
        List<PtNDArray[]> blocks = new ArrayList<>();
        for (NDArray m : matrices) {
            long rows = m.getShape().get(0);
            PtNDArray[] b = new PtNDArray[threads];
            for (int t = 0; t < threads; t++) {
                b[t] = JniUtils.slice((PtNDArray) m, 0, rows * t / threads, rows * (t + 1) / threads, 1);
            }
            blocks.add(b);
        }
        try {
            return timed(repeat, t -> {
                for (PtNDArray[] b : blocks) {
                    JniUtils.sum(b[t]).close();
                }
            });
        } finally {
            blocks.forEach(b -> {
                for (PtNDArray a : b) {
                    a.close();
                }
            });
        }
    }

    /** GB/s of the threads xor-ing the longs of a {@code bytes} off-heap buffer, each its own contiguous part. */
    public double javaStreamGBps(long bytes, int repeat) {
        int size = (int) Math.min(bytes, Integer.MAX_VALUE - 64L) & ~255;
        ByteBuffer buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        for (int i = 0; i < size; i += 4096) {
            buffer.putLong(i, i);   // touch every page: a fresh mapping would read the zero page
        }
        long[] sink = new long[threads];
        int part = size / threads & ~31;
        double seconds = timed(repeat, t -> {
            ByteBuffer b = buffer.duplicate().order(ByteOrder.nativeOrder());
            long a0 = 0;
            long a1 = 0;
            long a2 = 0;
            long a3 = 0;
            int end = (t + 1) * part;
            for (int i = t * part; i < end; i += 32) {
                a0 ^= b.getLong(i);
                a1 ^= b.getLong(i + 8);
                a2 ^= b.getLong(i + 16);
                a3 ^= b.getLong(i + 24);
            }
            sink[t] = a0 ^ a1 ^ a2 ^ a3;   // kept, so the loop is not dead code
        });
        return (double) part * threads / seconds / 1e9;
    }

    /** GFLOP/s of each thread multiplying its own 1024 x 1024 matrices, single-threaded. */
    public double gemmGflops(NDManager manager, boolean onednn, int repeat) {
        int n = 1024;
        try (NDManager local = manager.newSubManager()) {
            NDArray a = local.randomNormal(new Shape(n, n), DataType.FLOAT32);
            NDArray b = local.randomNormal(new Shape(n, n), DataType.FLOAT32);
            PtNDArray a4 = JniUtils.reshape((PtNDArray) a, new long[] {n, n, 1, 1});
            PtNDArray b4 = JniUtils.reshape((PtNDArray) b, new long[] {n, n, 1, 1});
            double seconds = timed(repeat, t -> {
                NDArray c = onednn
                        ? JniUtils.convolution(a4, b4, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1)
                        : JniUtils.matmul((PtNDArray) a, (PtNDArray) b);
                c.close();
            });
            return threads * 2.0 * n * n * n / seconds / 1e9;
        }
    }

    /** Median seconds of {@code repeat} runs (after one warm-up) of {@code body(t)} on every thread t at once. */
    private double timed(int repeat, IntConsumer body) {
        double[] times = new double[repeat];
        for (int r = -1; r < repeat; r++) {
            long start = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int k = t;
                running.add(pool.submit(() -> body.accept(k)));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while measuring", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a floor measurement failed: " + e.getCause(), e.getCause());
                }
            }
            if (r >= 0) {
                times[r] = (System.nanoTime() - start) / 1e9;
            }
        }
        return MatmulFloor.median(times);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
