package dev.asclepius.tasks;

import java.util.List;
import java.util.Objects;

/**
 * The answer to a free question.
 *
 * @param text     the answer, preamble removed
 * @param found    false when the model said the note does not contain the information
 * @param evidence the parts of the answer that quote the note (quoted strings, and sentences the note
 *                 contains verbatim)
 */
public record Answer(String text, boolean found, List<Evidence> evidence) {
    public Answer {
        Objects.requireNonNull(text, "text");
        evidence = List.copyOf(evidence);
    }
}
