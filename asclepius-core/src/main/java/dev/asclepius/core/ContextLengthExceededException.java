package dev.asclepius.core;

/**
 * The prompt does not fit the model's context window. Thrown before any compute, so the caller can
 * shorten or split the note and retry.
 */
public class ContextLengthExceededException extends AsclepiusException {
    private static final long serialVersionUID = 1L;
    private final int promptTokens;
    private final int contextLength;

    public ContextLengthExceededException(int promptTokens, int maxNewTokens, int contextLength) {
        super("Prompt is " + promptTokens + " tokens; with room for " + maxNewTokens
                + " new tokens it needs " + (promptTokens + maxNewTokens) + " but the model's context is "
                + contextLength + " tokens. Shorten the note, split it into sections, or lower maxNewTokens.");
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
