package dev.asclepius.tasks;

import dev.asclepius.core.InvalidInputException;
import java.util.Objects;

/**
 * A discharge summary (or any clinical note) the tasks ask about. The text is kept verbatim: every
 * {@link Span} points into it, so it must not be trimmed or normalized here.
 *
 * @param text the note, never blank
 */
public record ClinicalNote(String text) {
    public ClinicalNote {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            throw new InvalidInputException("The clinical note is empty: pass the text of a discharge summary");
        }
    }

    public static ClinicalNote of(String text) {
        if (text == null) {
            throw new InvalidInputException("The clinical note is null: pass the text of a discharge summary");
        }
        return new ClinicalNote(text);
    }
}
