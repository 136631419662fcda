package dev.asclepius.core.internal.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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

    RopeTables(NDManager manager, ModelConfig config, DataType dtype) {
        int dim = config.headDim();
        int half = dim / 2;
        int positions = config.contextLength();
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
        return cos.get(positions);
    }

    NDArray sinAt(NDArray positions) {
        return sin.get(positions);
    }

    NDArray cos(int start, int steps) {
        return cos.get(new NDIndex().addSliceDim(start, start + steps));
    }

    NDArray sin(int start, int steps) {
        return sin.get(new NDIndex().addSliceDim(start, start + steps));
    }
}
