package dev.asclepius.core.internal.checkpoint;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;

/**
 * One tensor as stored in a checkpoint. {@link #data()} is a little-endian, read-only view (position 0,
 * limit = numel * bytes) into a memory mapping of the file: nothing is copied to the heap until a
 * caller converts.
 */
public record StoredTensor(String name, StorageType type, long[] shape, ByteBuffer data) {

    public StoredTensor {
        shape = shape.clone();
        long expected = Shapes.byteSize(shape, type);
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("tensor " + name + " " + Arrays.toString(shape) + " " + type
                    + " needs " + expected + " bytes, buffer has " + data.remaining());
        }
        data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A fresh view each call (duplicate() would reset the byte order), so callers never disturb each other. */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    /** All values widened to float; for tests and small tensors. */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(numel())];
        copyAsFloatsTo(FloatBuffer.wrap(out));
        return out;
    }

    /** Writes numel floats at dst's position and advances it. */
    public void copyAsFloatsTo(FloatBuffer dst) {
        int n = Math.toIntExact(numel());
        if (dst.remaining() < n) {
            throw new BufferOverflowException();
        }
        ByteBuffer src = data();
        switch (type) {
            case F32 -> dst.put(src.asFloatBuffer());
            case F16 -> {
                ShortBuffer s = src.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    dst.put(HalfFloats.f16ToFloat(s.get(i)));
                }
            }
            case BF16 -> {
                ShortBuffer s = src.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    dst.put(HalfFloats.bf16ToFloat(s.get(i)));
                }
            }
        }
    }

    /**
     * Writes row {@code row} of this 2-D tensor, widened to float, at dst's position and advances it: one
     * embedding row, read straight from the file.
     */
    public void copyRowAsFloatsTo(int row, FloatBuffer dst) {
        if (shape.length != 2 || row < 0 || row >= shape[0]) {
            throw new IndexOutOfBoundsException("row " + row + " of " + this);
        }
        int width = Math.toIntExact(shape[1]);
        ByteBuffer src = data();
        int first = Math.multiplyExact(row, width);
        switch (type) {
            case F32 -> dst.put(src.asFloatBuffer().slice(first, width));
            case F16 -> {
                ShortBuffer s = src.asShortBuffer();
                for (int i = 0; i < width; i++) {
                    dst.put(HalfFloats.f16ToFloat(s.get(first + i)));
                }
            }
            case BF16 -> {
                ShortBuffer s = src.asShortBuffer();
                for (int i = 0; i < width; i++) {
                    dst.put(HalfFloats.bf16ToFloat(s.get(first + i)));
                }
            }
        }
    }

    /** Writes numel IEEE fp16 bit patterns at dst's position and advances it; F32 and BF16 round to nearest even. */
    public void copyAsHalfTo(ShortBuffer dst) {
        int n = Math.toIntExact(numel());
        if (dst.remaining() < n) {
            throw new BufferOverflowException();
        }
        ByteBuffer src = data();
        switch (type) {
            case F16 -> dst.put(src.asShortBuffer());
            case F32 -> {
                FloatBuffer f = src.asFloatBuffer();
                for (int i = 0; i < n; i++) {
                    dst.put(HalfFloats.floatToF16(f.get(i)));
                }
            }
            case BF16 -> {
                // bf16 -> float is exact, so this rounds only once.
                ShortBuffer s = src.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    dst.put(HalfFloats.floatToF16(HalfFloats.bf16ToFloat(s.get(i))));
                }
            }
        }
    }

    @Override
    public String toString() {
        return "StoredTensor[" + name + " " + type + " " + Arrays.toString(shape) + "]";
    }
}
