package dev.asclepius.tasks;

import dev.asclepius.core.InvalidInputException;
import java.util.Objects;

/**
 * A stretch of the note: {@code note.text().substring(begin, end).equals(text)} always holds, because
 * spans are only ever cut out of the note itself.
 *
 * @param begin first char (inclusive)
 * @param end   last char (exclusive)
 * @param text  the covered text of the note, verbatim
 * @param match how the model's wording was aligned to this text
 */
public record Span(int begin, int end, String text, MatchKind match) {
    public Span {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(match, "match");
        if (begin < 0 || end < begin || end - begin != text.length()) {
            throw new InvalidInputException("Invalid span [" + begin + ", " + end + ") for text '" + text + "'");
        }
    }

    /** The span of {@code note} from {@code begin} to {@code end}. */
    public static Span of(ClinicalNote note, int begin, int end, MatchKind match) {
        return new Span(begin, end, note.text().substring(begin, end), match);
    }
}
