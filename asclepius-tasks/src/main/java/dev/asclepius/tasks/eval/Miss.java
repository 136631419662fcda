package dev.asclepius.tasks.eval;

import dev.asclepius.tasks.Task;
import java.util.Objects;

/**
 * Something the parser got wrong on one corpus case.
 *
 * @param caseId the case's id in the corpus
 * @param task   its task
 * @param kind   what went wrong
 * @param detail the item concerned, readable
 */
public record Miss(String caseId, Task task, Kind kind, String detail) {
    public enum Kind {
        /** An expected item no parsed item matches. */
        NOT_FOUND,
        /** A parsed item no expected item matches. */
        UNEXPECTED,
        /** An expected span that no matched parsed item carries. */
        SPAN_MISSED,
        /** An expected item marked not in the note (span null) that the parser grounded anyway. */
        GROUNDED_ANYWAY,
        /** A span whose text is not the note's text at its offsets (must never happen). */
        SPAN_INEXACT,
        /** A free-text answer contains a phrase the expectations exclude. */
        EXCLUDED_FOUND,
        /** Question answering: the parsed found flag disagrees with the expected one. */
        FOUND_DISAGREES
    }

    public Miss {
        Objects.requireNonNull(caseId, "caseId");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return caseId + " " + task + " " + kind + ": " + detail;
    }
}
