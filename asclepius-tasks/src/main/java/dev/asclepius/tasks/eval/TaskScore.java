package dev.asclepius.tasks.eval;

import dev.asclepius.tasks.Task;
import java.util.Map;
import java.util.Objects;

/**
 * One task's scores over a parse corpus.
 *
 * @param task           the task
 * @param cases          how many answers of this task were scored
 * @param expectedItems  items the expectations list (free-text tasks: key phrases, plus QA's found flag)
 * @param parsedItems    items the parser produced (free-text tasks: key phrases kept plus excluded phrases found)
 * @param matchedItems   expected items matched one-to-one by a parsed item (free-text tasks: key phrases kept)
 * @param expectedSpans  non-null span fields of the expectations (0: the task has none)
 * @param foundSpans     of those, how many a parsed item carries
 * @param fields         agreement of secondary fields on matched items, by field name: {agreeing, compared}
 */
public record TaskScore(Task task, int cases, int expectedItems, int parsedItems, int matchedItems,
                        int expectedSpans, int foundSpans, Map<String, int[]> fields) {
    public TaskScore {
        Objects.requireNonNull(task, "task");
        fields = Map.copyOf(fields);
    }

    /** Matched / parsed items; 1.0 when nothing was parsed. */
    public double precision() {
        return parsedItems == 0 ? 1.0 : (double) matchedItems / parsedItems;
    }

    /** Matched / expected items; 1.0 when nothing was expected. */
    public double recall() {
        return expectedItems == 0 ? 1.0 : (double) matchedItems / expectedItems;
    }

    /** Found / expected spans; 1.0 when the task has no span fields (see {@link #hasSpans()}). */
    public double spanRecall() {
        return expectedSpans == 0 ? 1.0 : (double) foundSpans / expectedSpans;
    }

    public boolean hasSpans() {
        return expectedSpans > 0;
    }
}
