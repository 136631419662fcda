package dev.asclepius.core.internal.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.asclepius.core.InvalidInputException;
import java.util.Locale;

/**
 * Which PyTorch kernel computes {@code x · Wᵀ} on the CPU, chosen once per model. Two alternatives to the
 * default ({@code torch.nn.functional.linear}, i.e. MKL's sgemm), both exact f32 arithmetic with a different
 * summation order, measured in docs/performance.md:
 * <ul>
 *   <li><b>Prompts through oneDNN</b> ({@code asclepius.cpu.prefillKernel=onednn}): for 16 rows or more the
 *       product is a 1x1 convolution with the rows as the batch ({@code [rows, in, 1, 1]} ⊛ {@code [out, in, 1, 1]}),
 *       the same memory as the matrices, which PyTorch runs on oneDNN. oneDNN picks its kernels by the CPU's
 *       instruction sets; the MKL in DJL's libtorch (oneMKL 2024.0) takes a generic path on AMD CPUs
 *       ({@code MKL_VERBOSE}: "Intel(R) Architecture processors", where an Intel CPU with AVX-512 gets its
 *       AVX-512 kernels). oneDNN reorders the weight into its blocked layout on every call, a copy that
 *       costs about one extra read and write of the weights per prompt chunk.
 *   <li><b>Decode rows split across Java threads</b> ({@code asclepius.cpu.decodeSplit=N}, N &gt; 1): a
 *       one-row product runs as N single-threaded products over disjoint output rows of W, one per Java
 *       thread ({@link RowSplit}), as llama.cpp splits its matrix-vector products: no OpenMP team, and each
 *       core streams its own rows.
 * </ul>
 * Read from system properties so a deployment sets them without code ({@code -Dasclepius.cpu.decodeSplit=2}).
 * The decode split is on by default ({@code auto}: as many parts as decode threads, when that is 2 or more):
 * on the 2-vCPU VM, quiet, it decoded the 7B layer shape at 20.7 tok/s against 11.5 for one OpenMP-threaded
 * op, and the small model at 92 against 67 (docs/performance.md). {@code -Dasclepius.cpu.decodeSplit=1}
 * turns it off (e.g. on a machine whose cores are oversubscribed, where each hand-off waits for the OS
 * scheduler). Prompts stay on MKL unless asked: oneDNN lost to it in every measurement. GPUs and other types
 * always take the default path.
 */
public record CpuKernels(boolean onednnPrefill, int decodeSplit) {

    /** Rows from which a product goes through oneDNN when enabled: PyTorch itself only takes oneDNN's 1x1
     * convolution for a batch of at least 16 on one thread. */
    static final int ONEDNN_MIN_ROWS = 16;

    public static final String PREFILL_PROPERTY = "asclepius.cpu.prefillKernel";
    public static final String DECODE_SPLIT_PROPERTY = "asclepius.cpu.decodeSplit";

    public CpuKernels {
        if (decodeSplit < 1 || decodeSplit > 256) {
            throw new IllegalArgumentException("decodeSplit must be 1-256 Java threads, got " + decodeSplit);
        }
    }

    /** MKL for everything, one OpenMP team per op (what {@code decodeSplit=1} gives). */
    public static final CpuKernels DEFAULT = new CpuKernels(false, 1);

    /**
     * The choice from {@value #PREFILL_PROPERTY} ({@code mkl}, the default, or {@code onednn}) and
     * {@value #DECODE_SPLIT_PROPERTY} (Java threads per one-row product; {@code auto}, the default, is
     * {@code decodeThreads} when that is 2 or more, else 1).
     */
    public static CpuKernels fromSystemProperties(int decodeThreads) {
        String prefill = System.getProperty(PREFILL_PROPERTY, "mkl").trim().toLowerCase(Locale.ROOT);
        if (!prefill.equals("mkl") && !prefill.equals("onednn")) {
            throw new InvalidInputException("-D" + PREFILL_PROPERTY + " must be mkl or onednn, got '" + prefill + "'");
        }
        String split = System.getProperty(DECODE_SPLIT_PROPERTY, "auto").trim();
        int n;
        try {
            n = split.equalsIgnoreCase("auto") ? Math.max(1, Math.min(decodeThreads, 256)) : Integer.parseInt(split);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("-D" + DECODE_SPLIT_PROPERTY + " must be auto or a thread count (1 = off), got '"
                    + split + "'");
        }
        if (n < 1 || n > 256) {
            throw new InvalidInputException("-D" + DECODE_SPLIT_PROPERTY + " must be 1-256 Java threads, got " + n);
        }
        return new CpuKernels(prefill.equals("onednn"), n);
    }

    /** For reports: e.g. "prefill mkl, decode 2-way row split". */
    public String describe() {
        return "prefill " + (onednnPrefill ? "onednn (1x1 conv)" : "mkl (linear)") + ", decode "
                + (decodeSplit > 1 ? decodeSplit + " Java threads x 1 (row split)" : "one op (OpenMP)");
    }

    /** Whether a {@code rows}-row product of type {@code dtype} on a CPU goes through oneDNN. */
    boolean useOnednn(long rows, DataType dtype, boolean cpu) {
        return onednnPrefill && cpu && dtype == DataType.FLOAT32 && rows >= ONEDNN_MIN_ROWS;
    }

    /**
     * {@code x · Wᵀ} for 2-D {@code x} [rows, in] and W [out, in] as oneDNN's 1x1 convolution: both operands
     * keep their memory (a [rows, in] row-major matrix is a contiguous [rows, in, 1, 1] batch), and so does
     * the [rows, out, 1, 1] result.
     */
    static NDArray onednnLinear(NDArray x, NDArray weight) {
        Shape xs = x.getShape();
        Shape ws = weight.getShape();
        PtNDArray x4 = JniUtils.reshape((PtNDArray) x, new long[] {xs.get(0), xs.get(1), 1, 1});
        PtNDArray w4 = JniUtils.reshape((PtNDArray) weight, new long[] {ws.get(0), ws.get(1), 1, 1});
        NDArray y = JniUtils.convolution(x4, w4, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1);
        return JniUtils.reshape((PtNDArray) y, new long[] {xs.get(0), ws.get(0)});
    }
}
