package dev.asclepius.core.internal.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;

/**
 * The PyTorch ops the forward pass uses, called straight through DJL's JNI layer ({@link JniUtils}) rather
 * than through the generic {@code NDArray} methods. Each generic method does extra native round trips before
 * the op itself, and at ~200 ops per decode step they add up on a small model:
 * <ul>
 *   <li>{@code matMul}, {@code transpose} and {@code argMax} first ask both operands whether they are scalars,
 *       which reads the shape of each freshly made array through JNI (and allocates a {@code Shape});
 *       {@code softmax} and {@code toType} read the data type the same way;
 *   <li>{@code get(NDIndex)} and {@code set(NDIndex, ..)} build a native index object slice by slice (init,
 *       one append per axis, apply, delete: 4-6 calls) where {@code torch.slice} and {@code index_put_} over
 *       slices are one call each.
 * </ul>
 * Every result is a normal DJL {@code NDArray} owned by its input's manager and the caller's {@code NDScope}.
 * PyTorch-specific by design: the forward pass is the PyTorch engine's.
 */
final class TorchOps {
    private TorchOps() {
    }

    private static PtNDArray pt(NDArray a) {
        return (PtNDArray) a;
    }

    /** {@code a @ b} with broadcasting batch axes ({@code torch.matmul}). */
    static NDArray matmul(NDArray a, NDArray b) {
        return JniUtils.matmul(pt(a), pt(b));
    }

    /** {@code x · Wᵀ + bias} ({@code torch.nn.functional.linear}; {@code bias} may be null, else addmm's input). */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return JniUtils.linear(pt(x), pt(weight), bias == null ? null : pt(bias));
    }

    static NDArray add(NDArray a, NDArray b) {
        return JniUtils.add(pt(a), pt(b));
    }

    static NDArray mul(NDArray a, NDArray b) {
        return JniUtils.mul(pt(a), pt(b));
    }

    /** {@code a *= b} in place; returns {@code a}. */
    static NDArray muli(NDArray a, NDArray b) {
        JniUtils.muli(pt(a), pt(b));
        return a;
    }

    /** {@code a += b} in place; returns {@code a}. */
    static NDArray addi(NDArray a, NDArray b) {
        JniUtils.addi(pt(a), pt(b));
        return a;
    }

    static NDArray sigmoid(NDArray a) {
        return JniUtils.sigmoid(pt(a));
    }

    /** Softmax over the last axis, computed and returned in {@code type}. */
    static NDArray softmax(NDArray a, DataType type) {
        return JniUtils.softmax(pt(a), -1, type);
    }

    /** {@code x / ||x||₂} along the last axis ({@code torch.nn.functional.normalize}), one native call. */
    static NDArray normalize(NDArray x) {
        return JniUtils.normalize(pt(x), 2.0, -1, 1e-12);
    }

    /** A view (or, when strides forbid one, a copy) of {@code a} with the given shape (one -1 allowed). */
    static NDArray reshape(NDArray a, long... shape) {
        return JniUtils.reshape(pt(a), shape);
    }

    /** A view of {@code a} with its axes reordered. */
    static NDArray permute(NDArray a, long... axes) {
        return JniUtils.permute(pt(a), axes);
    }

    /** {@code a[..., from:to, ...]} along {@code axis}: a view, no copy. */
    static NDArray slice(NDArray a, int axis, long from, long to) {
        return JniUtils.slice(pt(a), axis, from, to, 1);
    }

    /** {@code a[index]}: a view without the first axis. */
    static NDArray select(NDArray a, long index) {
        return JniUtils.getItem(pt(a), new long[] {index}, pt(a).getManager());
    }

    /** Consecutive views of {@code a} along {@code axis}, of the given sizes (summing to the axis length), in one call. */
    static NDList split(NDArray a, long[] sizes, int axis) {
        return JniUtils.split(pt(a), sizes, axis);
    }

    /** A row-major (contiguous) copy of {@code a}: {@code torch.cat} of one tensor, which always allocates afresh. */
    static NDArray contiguous(NDArray a) {
        return JniUtils.cat(new PtNDArray[] {pt(a)}, 0);
    }

    /** {@code a} and {@code b} concatenated along {@code axis}. */
    static NDArray concat(NDArray a, NDArray b, int axis) {
        return JniUtils.cat(new PtNDArray[] {pt(a), pt(b)}, axis);
    }

    /** Rows {@code ids} (int32 or int64, any shape) of {@code table}: [..., columns] ({@code torch.embedding}). */
    static NDArray embedding(NDArray table, NDArray ids) {
        return JniUtils.embedding(pt(ids), pt(table), false);
    }

    /** {@code a} (on {@code device}) converted to {@code type}: a new array. */
    static NDArray toType(NDArray a, DataType type, ai.djl.Device device) {
        return JniUtils.to(pt(a), type, device);
    }

    /** {@code target[from[0]:to[0], from[1]:to[1], ...] = value} in place (value broadcast to the slice). */
    static void write(NDArray target, NDArray value, long[] from, long[] to) {
        long[] step = new long[from.length];
        Arrays.fill(step, 1);
        JniUtils.indexSet(pt(target), pt(value), from, to, step);
    }
}
