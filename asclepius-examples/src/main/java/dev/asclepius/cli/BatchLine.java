package dev.asclepius.cli;

import dev.asclepius.tasks.NoteInput;
import java.util.Optional;

/** One input note, or the reason its line is not usable; whether its line had no id field. */
record BatchLine(NoteInput note, Optional<String> problem, boolean withoutId) {
    static BatchLine ok(NoteInput note) {
        return new BatchLine(note, Optional.empty(), false);
    }

    static BatchLine bad(String id, String problem) {
        return new BatchLine(new NoteInput(id, null), Optional.of(problem), false);
    }
}
