package dev.asclepius.tasks.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The roles of a markdown table's columns, read from its header row. */
final class RelationTableColumns {
    private static final Pattern RELATION_HEADER = Pattern.compile(
            "(?i).*\\b(?:relation(?:ship)?|link|connection|association|how|type of|role|effect)\\b.*");
    private static final Pattern EXPLANATION_HEADER = Pattern.compile(
            "(?i).*\\b(?:explanation|notes?|details?|comments?|reason(?:ing)?|rationale|evidence)\\b.*");
    private final List<Integer> items = new ArrayList<>();
    private int relation = -1;
    private int explanation = -1;

    static List<String> cells(String line) {
        return AnswerText.tableCells(line.replace("**", ""));
    }

    static RelationTableColumns fromHeader(List<String> header) {
        RelationTableColumns t = new RelationTableColumns();
        for (int i = 0; i < header.size(); i++) {
            String h = header.get(i);
            if (t.relation < 0 && RELATION_HEADER.matcher(h).matches()) {
                t.relation = i;
            } else if (t.explanation < 0 && EXPLANATION_HEADER.matcher(h).matches()) {
                t.explanation = i;
            } else {
                t.items.add(i);
            }
        }
        return t;
    }

    /** {head, relation, tail, explanation} of a data row, when it names two items. */
    Optional<String[]> row(List<String> cells) {
        if (items.size() < 2 || cells.size() <= Math.max(items.get(1), Math.max(relation, explanation))) {
            return Optional.empty();
        }
        String head = cells.get(items.get(0));
        String tail = cells.get(items.get(1));
        if (head.isEmpty() || tail.isEmpty() || AnswerText.isNothingLine(head) || AnswerText.isNothingLine(tail)) {
            return Optional.empty();
        }
        String rel = relation >= 0 ? cells.get(relation) : "";
        String why = explanation >= 0 ? cells.get(explanation) : "";
        Matcher gloss = Pattern.compile("^(.*?)\\s*\\(([^)]*)\\)\\s*$").matcher(rel);
        if (gloss.matches() && !gloss.group(1).isEmpty()) {
            rel = gloss.group(1); // "treats (acid suppression)": the gloss explains the relation
            why = why.isEmpty() ? gloss.group(2) : why;
        }
        return Optional.of(new String[] {head, rel.isEmpty() ? "related to" : rel, tail, why});
    }
}
