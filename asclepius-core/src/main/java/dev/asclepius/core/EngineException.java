package dev.asclepius.core;

/** The native engine (DJL / PyTorch) failed: missing natives, device unavailable, out of memory. */
public class EngineException extends AsclepiusException {
    private static final long serialVersionUID = 1L;

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }

    public EngineException(String message) {
        super(message);
    }
}
