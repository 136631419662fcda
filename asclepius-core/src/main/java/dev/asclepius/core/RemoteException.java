package dev.asclepius.core;

import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * A remote model server (vLLM, TGI, llama.cpp, {@code asclepius serve}) could not answer: the connection
 * failed, the API key was rejected, or it kept answering 429/5xx until the retries ran out.
 */
public class RemoteException extends AsclepiusException {
    private static final long serialVersionUID = 1L;
    private final URI uri;
    private final int status;

    /**
     * @param uri    the URL the request went to
     * @param status the last HTTP status received, or -1 when no response arrived (connection error, timeout)
     */
    public RemoteException(String message, URI uri, int status, @Nullable Throwable cause) {
        super(message, cause);
        this.uri = uri;
        this.status = status;
    }

    public URI uri() {
        return uri;
    }

    /** The last HTTP status received, or -1 when no response arrived. */
    public int status() {
        return status;
    }
}
