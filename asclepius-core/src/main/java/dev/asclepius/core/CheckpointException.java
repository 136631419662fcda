package dev.asclepius.core;

/**
 * A model folder or weight file cannot be used: missing folder or file, missing shard, truncated or
 * corrupted file, a tensor whose shape contradicts {@code config.json}, an unsupported storage type.
 * The message names the file and says how to fix it.
 */
public class CheckpointException extends AsclepiusException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
