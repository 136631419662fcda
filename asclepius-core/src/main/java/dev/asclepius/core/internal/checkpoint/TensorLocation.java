package dev.asclepius.core.internal.checkpoint;

import dev.asclepius.core.CheckpointException;
import java.nio.file.Path;
import java.util.Arrays;

/** Where a tensor's bytes lie in a file: what the readers find when a checkpoint opens, mapped only on demand. */
record TensorLocation(String name, StorageType type, long[] shape, Path file, long offset, long byteLength) {

    /** Java buffers are int-indexed, so one tensor must fit one mapping. */
    static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE;

    TensorLocation {
        if (byteLength > MAX_TENSOR_BYTES) {
            throw new CheckpointException(String.format(
                    "Tensor '%s' %s %s in %s is %.2f GiB: tensors over 2 GiB are not supported"
                            + " (a Java buffer holds at most 2 GiB); re-shard or split the tensor.",
                    name, type, Arrays.toString(shape), file, byteLength / (double) (1L << 30)));
        }
    }
}
