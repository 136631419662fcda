package dev.asclepius.core.internal.checkpoint;

import dev.asclepius.core.CheckpointException;
import java.util.Arrays;

/** Shape arithmetic shared by the readers and the writer. */
final class Shapes {
    private Shapes() {}

    /** Element count; a product that overflows a long can only come from a corrupted header. */
    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new CheckpointException("negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new CheckpointException("shape " + Arrays.toString(shape) + " has more elements than a long can count");
            }
        }
        return n;
    }

    static long byteSize(long[] shape, StorageType type) {
        try {
            return Math.multiplyExact(numel(shape), (long) type.bytes());
        } catch (ArithmeticException e) {
            throw new CheckpointException("shape " + Arrays.toString(shape) + " is too large");
        }
    }
}
