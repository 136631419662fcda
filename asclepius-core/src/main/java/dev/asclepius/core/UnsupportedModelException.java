package dev.asclepius.core;

/** The checkpoint's {@code config.json} describes an architecture or a field value this SDK cannot run. */
public class UnsupportedModelException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    public UnsupportedModelException(String message) {
        super(message);
    }
}
