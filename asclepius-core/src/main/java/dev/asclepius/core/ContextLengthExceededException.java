package dev.asclepius.core;

/**
 * The prompt does not fit the model's context window. Thrown before any compute, so the caller can
 * shorten or split the note and retry.
 */
public class ContextLengthExceededException extends AsclepiusException {
    private static final long serialVersionUID = 1L;
    private final int promptTokens;
    private final int contextLength;

    public ContextLengthExceededException(int promptTokens, int contextLength) {
        super("Prompt is " + promptTokens + " tokens but the model's context holds " + contextLength
                + " tokens for prompt and answer together, so no room is left to generate. "
                + "Shorten the note or split it into sections.");
        this.promptTokens = promptTokens;
        this.contextLength = contextLength;
    }

    /**
     * With a message of its own, e.g. a remote server's. Either count may be -1 when the server did not
     * say it.
     */
    public ContextLengthExceededException(String message, int promptTokens, int contextLength) {
        super(message);
        this.promptTokens = promptTokens;
        this.contextLength = contextLength;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int contextLength() {
        return contextLength;
    }
}
