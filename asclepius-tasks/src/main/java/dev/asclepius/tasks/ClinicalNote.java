package dev.asclepius.tasks;

import dev.asclepius.core.InvalidInputException;

/**
 * A discharge summary (or any clinical note) the tasks ask about. The text is kept verbatim: every
 * {@link Span} points into it, so it must not be trimmed or normalized here.
 *
 * @param text the note, never blank
 */
public record ClinicalNote(String text) {
    public ClinicalNote {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("The clinical note is empty: pass the text of a discharge summary");
        }
    }

    public static ClinicalNote of(String text) {
        return new ClinicalNote(text);
    }
}
