package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.Relation;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Relations grouped under an item: a short bullet ("- Febrile neutropenia") over indented sub-bullets
 * ("  - Cefepime: empiric IV antibiotic ..."), each a relation to the group's item. Split from
 * {@link RelationTask}, which reads the other shapes.
 */
final class RelationGroups {
    private RelationGroups() {
    }

    /** The indentation of each line {@link AnswerText#lines} keeps, in its order. */
    static List<Integer> indents(String text) {
        List<Integer> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.replace("**", "").replace("__", "").strip().isEmpty()) {
                out.add(line.length() - line.stripLeading().length());
            }
        }
        return out;
    }

    /** A group's heading names one item: a few words, no relation phrase, no colon. */
    static boolean isGroupItem(String line) {
        return line.split("\\s+").length <= 5 && !line.contains(":") && !RelationTask.CUE.matcher(line).find()
                && !line.matches(".*[,;].*");
    }

    /**
     * A sub-bullet under a group's item: "Cefepime: empiric IV antibiotic to treat ..." relates Cefepime to
     * the group's item; "Caused the neutropenia ..." (a relation phrase first) relates the group's item to what
     * follows. Anything else is read as a line of its own.
     */
    static boolean groupItem(List<Relation> out, Grounder grounder, String group, String line) {
        Matcher colon = RelationTask.COLON_ITEM.matcher(line);
        if (colon.matches() && colon.group(1).split("\\s+").length <= 5 && !RelationTask.CUE.matcher(colon.group(1)).find()
                && !RelationTask.KEY_VALUE.matcher(line).matches()) {
            Matcher cue = RelationTask.CUE.matcher(colon.group(2));
            RelationItems.add(out, grounder, colon.group(1), cue.find() ? cue.group(1) : "related to", group, colon.group(2));
            return true;
        }
        Matcher cue = RelationTask.CUE.matcher(line);
        if (cue.find() && cue.start() == 0) {
            RelationTask.splitTail(out, grounder, group, cue.group(1), line.substring(cue.end()));
            return true;
        }
        return false;
    }
}
