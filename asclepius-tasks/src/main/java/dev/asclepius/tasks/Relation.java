package dev.asclepius.tasks;

import java.util.List;
import java.util.Objects;

/**
 * A relation between two things in the note.
 *
 * @param head        the first item (e.g. a medication)
 * @param relation    the relation as a short phrase ("treats", "caused by"); "related to" when the
 *                    answer names none
 * @param tail        the second item (e.g. a condition)
 * @param explanation the model's explanation; empty when it gave none
 * @param headSpans   mentions of {@code head} in the note
 * @param tailSpans   mentions of {@code tail} in the note
 */
public record Relation(String head, String relation, String tail, String explanation,
                       List<Span> headSpans, List<Span> tailSpans) {
    public Relation {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(relation, "relation");
        Objects.requireNonNull(tail, "tail");
        Objects.requireNonNull(explanation, "explanation");
        headSpans = List.copyOf(headSpans);
        tailSpans = List.copyOf(tailSpans);
    }

    /** Both ends were found in the note. */
    public boolean grounded() {
        return !headSpans.isEmpty() && !tailSpans.isEmpty();
    }
}
