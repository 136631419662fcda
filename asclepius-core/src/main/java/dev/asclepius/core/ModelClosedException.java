package dev.asclepius.core;

/** The model (or a client sharing it) was closed before or while this call ran. */
public class ModelClosedException extends AsclepiusException {
    private static final long serialVersionUID = 1L;

    public ModelClosedException(String message) {
        super(message);
    }
}
