package dev.asclepius.core.hub;

import dev.asclepius.core.AsclepiusException;

/**
 * Fetching a model from the Hugging Face hub (or its local cache) failed: the endpoint cannot be reached, a download was
 * interrupted or corrupted, the disk is full, or the repository has no usable weights. The message says which
 * file, which cache folder, and what to do.
 */
public class HubException extends AsclepiusException {
    private static final long serialVersionUID = 1L;

    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
