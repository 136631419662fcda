package dev.asclepius.core.internal.checkpoint;

import java.util.Optional;

/** Element types a checkpoint tensor may be stored in; everything else is rejected when the checkpoint opens. */
public enum StorageType {
    F32(4),
    F16(2),
    BF16(2);

    private final int bytes;

    StorageType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The type for a safetensors dtype string ("F32", "F16", "BF16"), empty for any other dtype. */
    static Optional<StorageType> fromSafetensorsDtype(String dtype) {
        for (StorageType t : values()) {
            if (t.name().equals(dtype)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
