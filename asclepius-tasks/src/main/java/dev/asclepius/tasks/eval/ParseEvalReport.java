package dev.asclepius.tasks.eval;

import dev.asclepius.tasks.Task;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@link ParseEval} measured: one score per task present in the corpus, and every miss.
 *
 * @param scores per task, in {@link Task} order
 * @param misses every miss, in corpus order
 */
public record ParseEvalReport(List<TaskScore> scores, List<Miss> misses) {
    public ParseEvalReport {
        scores = List.copyOf(scores);
        misses = List.copyOf(misses);
    }

    public Optional<TaskScore> score(Task task) {
        return scores.stream().filter(s -> s.task() == task).findFirst();
    }

    /** The score table, then field agreement, then the misses, one per line. */
    public String format() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-19s %5s %9s %7s %8s %9s %7s %11s%n", "task", "cases", "expected",
                "parsed", "matched", "precision", "recall", "span recall"));
        int cases = 0;
        for (TaskScore s : scores) {
            cases += s.cases();
            b.append(String.format(Locale.ROOT, "%-19s %5d %9d %7d %8d %9.3f %7.3f %11s%n", s.task(), s.cases(),
                    s.expectedItems(), s.parsedItems(), s.matchedItems(), s.precision(), s.recall(),
                    s.hasSpans() ? String.format(Locale.ROOT, "%.3f (%d/%d)", s.spanRecall(), s.foundSpans(), s.expectedSpans())
                            : "n/a"));
        }
        b.append(String.format(Locale.ROOT, "%d cases, %d misses%n", cases, misses.size()));
        for (TaskScore s : scores) {
            if (s.fields().isEmpty()) {
                continue;
            }
            b.append("field agreement on matched ").append(s.task()).append(" items (information):");
            s.fields().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e ->
                    b.append(' ').append(e.getKey()).append(' ').append(e.getValue()[0]).append('/').append(e.getValue()[1]));
            b.append('\n');
        }
        if (!misses.isEmpty()) {
            b.append("misses:\n");
            for (Miss m : misses) {
                b.append("  ").append(m).append('\n');
            }
        }
        return b.toString();
    }
}
