package dev.asclepius.core.hub;

/**
 * Offline mode ({@code HF_HUB_OFFLINE=1} or {@code offline(true)}) and the cache lacks files the model needs;
 * the message names the missing files and the cache folder. Nothing was sent over the network.
 */
public class HubOfflineException extends HubException {
    private static final long serialVersionUID = 1L;

    public HubOfflineException(String message) {
        super(message);
    }

    public HubOfflineException(String message, Throwable cause) {
        super(message, cause);
    }
}
