package dev.asclepius.core;

/** An argument is unusable as given (an empty note, a negative token budget, a malformed option). */
public class InvalidInputException extends AsclepiusException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }
}
