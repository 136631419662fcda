package dev.asclepius.llamacpp.internal;

import dev.asclepius.core.CheckpointException;

/**
 * The ggml tensor types this SDK writes and reads, with their GGUF ids and block layouts (from the public
 * ggml format description): quantized types store blocks of 32 values, each with an f16 scale.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    /** 32 values: f16 scale d, then 16 bytes; value j is the low nibble of byte j, value j+16 the high; x = (q - 8) * d. */
    Q4_0(2, 32, 18),
    /** 32 values: f16 scale d, then 32 signed bytes q; x = q * d. */
    Q8_0(8, 32, 34);

    private final int id;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public int id() {
        return id;
    }

    /** Values per block (1 for the float types). */
    public int blockSize() {
        return blockSize;
    }

    public int blockBytes() {
        return blockBytes;
    }

    public boolean quantized() {
        return blockSize > 1;
    }

    /** Bytes of one row of {@code rowLength} values; the row length must be a multiple of the block size. */
    public long rowBytes(long rowLength) {
        return rowLength / blockSize * blockBytes;
    }

    public static GgmlType ofId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new CheckpointException("GGUF tensor type " + id + " is not one this SDK reads (F32, F16, Q4_0, Q8_0)");
    }
}
