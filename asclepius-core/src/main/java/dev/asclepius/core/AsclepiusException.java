package dev.asclepius.core;

/**
 * Root of every exception the SDK throws. Unchecked, so callers catch what they can act on
 * (a specific subclass) and let the rest propagate.
 */
public class AsclepiusException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AsclepiusException(String message) {
        super(message);
    }

    public AsclepiusException(String message, Throwable cause) {
        super(message, cause);
    }
}
