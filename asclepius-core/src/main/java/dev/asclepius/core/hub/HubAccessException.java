package dev.asclepius.core.hub;

/**
 * The hub refused access (HTTP 401 or 403): the model is gated or private, or the token was rejected.
 * The message says to accept the model's license on the hub and to set {@code HF_TOKEN}.
 */
public class HubAccessException extends HubException {
    private static final long serialVersionUID = 1L;

    public HubAccessException(String message) {
        super(message);
    }

    public HubAccessException(String message, Throwable cause) {
        super(message, cause);
    }
}
