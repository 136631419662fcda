package dev.asclepius.langchain4j;

import dev.asclepius.core.InvalidInputException;

/**
 * A langchain4j chat request that {@link AsclepiusChatModel} cannot turn into an Asclepius prompt: messages
 * that are not a note plus a question, tools, a JSON response format, or a sampling parameter the models do not
 * have. The message says what was wrong and what to send instead.
 */
public class UnsupportedChatRequestException extends InvalidInputException {
    private static final long serialVersionUID = 1L;

    public UnsupportedChatRequestException(String message) {
        super(message);
    }
}
