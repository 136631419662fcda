package dev.asclepius.core.hub;

/**
 * The hub has no such repository, revision or file (HTTP 404); the message names the id and the revision.
 */
public class HubNotFoundException extends HubException {
    private static final long serialVersionUID = 1L;

    public HubNotFoundException(String message) {
        super(message);
    }

    public HubNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
