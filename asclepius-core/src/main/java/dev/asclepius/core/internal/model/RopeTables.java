package dev.asclepius.core.internal.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * cos/sin tables for every position of the context, computed once in double precision (HF computes
 * them in float32; double keeps the tables exact at long positions). Layout [context, head_dim] with the
 * frequencies duplicated over both halves, HF's rotate-half convention.
 */
final class RopeTables {
    private final NDArray cos;
    private final NDArray sin;
    private final NDArray rotateHalf;
    private final NDArray identity;
    private final int dim;
    private final int positions;
    private NDArray rotationBlock;      // rotation matrices of positions [index * BLOCK, index * BLOCK + BLOCK)
    private int rotationBlockIndex = -1;

    private static final int BLOCK = 64;

    RopeTables(NDManager manager, ModelConfig config, DataType dtype) {
        int dim = config.headDim();
        this.dim = dim;
        int half = dim / 2;
        int positions = config.contextLength();
        this.positions = positions;
        float[] cosValues = new float[positions * dim];
        float[] sinValues = new float[positions * dim];
        for (int i = 0; i < half; i++) {
            double invFreq = 1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / dim);
            for (int p = 0; p < positions; p++) {
                double angle = p * invFreq;
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cosValues[p * dim + i] = c;
                cosValues[p * dim + i + half] = c;
                sinValues[p * dim + i] = s;
                sinValues[p * dim + i + half] = s;
            }
        }
        Shape shape = new Shape(positions, dim);
        this.cos = toModel(manager, cosValues, shape, dtype);
        this.sin = toModel(manager, sinValues, shape, dtype);
        // x · R = [-x2, x1]: column j < half takes -x[j + half], column j >= half takes x[j - half].
        float[] r = new float[dim * dim];
        for (int j = 0; j < half; j++) {
            r[(j + half) * dim + j] = -1f;
            r[j * dim + j + half] = 1f;
        }
        this.rotateHalf = toModel(manager, r, new Shape(dim, dim), dtype);
        float[] eye = new float[dim * dim];
        for (int j = 0; j < dim; j++) {
            eye[j * dim + j] = 1f;
        }
        this.identity = toModel(manager, eye, new Shape(dim, dim), dtype);
    }

    /**
     * The RoPE rotation as a matrix for each row's position ([batch, 1] int64 -> [batch, 1, head_dim,
     * head_dim]): {@code x · M = x ⊙ cos + rotate_half(x) ⊙ sin} with {@code M = diag(cos) + R·diag(sin)},
     * i.e. {@code M[i][j] = I[i][j]·cos[j] + R[i][j]·sin[j]}. A decode step builds it once and every layer
     * rotates its queries and keys with one matmul each instead of four elementwise ops.
     */
    NDArray rotation(NDArray positions, long batch) {
        return TorchOps.reshape(rotationFrom(cosAt(positions), sinAt(positions)), batch, 1, dim, dim);
    }

    /**
     * {@link #rotation(NDArray, long)} for one sequence at {@code position}, as a plain [head_dim, head_dim]
     * matrix: {@code torch.matmul} folds [1, heads, 1, head_dim] · [head_dim, head_dim] into one matrix
     * product, where a [1, 1, head_dim, head_dim] operand would be expanded and copied once per head.
     *
     * <p>A sequence decodes position after position, so the matrices are built {@value #BLOCK} positions at a
     * time and kept until a position outside the block is asked for: one view per step instead of six ops
     * (a block is 1 MB at head_dim 64, 4 MB at 128, in float32). Not thread-safe, like the forward pass.
     */
    NDArray rotation(int position) {
        int block = position / BLOCK;
        if (rotationBlock == null || block != rotationBlockIndex) {
            int from = block * BLOCK;
            int count = Math.min(BLOCK, positions - from);
            NDArray next = rotationFrom(TorchOps.reshape(cos(from, count), count, 1, dim),
                    TorchOps.reshape(sin(from, count), count, 1, dim));       // [count, dim, dim]
            NDScope.unregister(next);   // outlives the step that built it; the weights' manager owns it
            if (rotationBlock != null) {
                rotationBlock.close();
            }
            rotationBlock = next;
            rotationBlockIndex = block;
        }
        return TorchOps.select(rotationBlock, position - block * BLOCK);
    }

    private NDArray rotationFrom(NDArray cosRows, NDArray sinRows) {
        // rows [.., 1, dim] broadcast over i
        return TorchOps.addi(TorchOps.mul(identity, cosRows), TorchOps.mul(rotateHalf, sinRows));
    }

    /** The signed permutation R with x · R = rotate_half(x), [head_dim, head_dim]. */
    NDArray rotateHalf() {
        return rotateHalf;
    }

    private static NDArray toModel(NDManager manager, float[] values, Shape shape, DataType dtype) {
        NDArray host = manager.create(values, shape);
        if (dtype == DataType.FLOAT32) {
            return host;
        }
        NDArray converted = host.toType(dtype, false);
        host.close();
        return converted;
    }

    /** cos rows for arbitrary positions ([...] int64 -> [..., head_dim]). */
    NDArray cosAt(NDArray positions) {
        return TorchOps.embedding(cos, positions);
    }

    NDArray sinAt(NDArray positions) {
        return TorchOps.embedding(sin, positions);
    }

    NDArray cos(int start, int steps) {
        return TorchOps.slice(cos, 0, start, start + steps);
    }

    NDArray sin(int start, int steps) {
        return TorchOps.slice(sin, 0, start, start + steps);
    }
}
