package dev.asclepius.tasks;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One note of a corpus run: an id the caller chose (a file name, a database key) and the note's text.
 * The text is not checked here: an empty one becomes that note's error record in {@link CorpusRun},
 * so one bad row does not stop the corpus.
 *
 * @param id   the note's id, copied to its result (never null)
 * @param text the note, verbatim (may be null or blank: that note then fails)
 */
public record NoteInput(String id, @Nullable String text) {
    public NoteInput {
        Objects.requireNonNull(id, "id");
    }

    public static NoteInput of(String id, @Nullable String text) {
        return new NoteInput(id, text);
    }
}
