package dev.asclepius.tasks;

import java.util.Collection;
import java.util.List;

/**
 * How well a task's extracted items were found in the note. Each item (an entity, an abbreviation's
 * short form, a relation's head and tail, ...) counts once, under the best way any of its spans matched.
 */
public record Grounding(int exact, int normalized, int fuzzy, int notFound) {
    public static final Grounding NONE = new Grounding(0, 0, 0, 0);

    /** Tallies items given as their span lists (an empty list is an item not found). */
    public static Grounding of(Collection<List<Span>> items) {
        int e = 0;
        int n = 0;
        int f = 0;
        int missing = 0;
        for (List<Span> spans : items) {
            MatchKind best = null;
            for (Span s : spans) {
                if (best == null || s.match().ordinal() < best.ordinal()) {
                    best = s.match();
                }
            }
            if (best == null) {
                missing++;
            } else if (best == MatchKind.EXACT) {
                e++;
            } else if (best == MatchKind.NORMALIZED) {
                n++;
            } else {
                f++;
            }
        }
        return new Grounding(e, n, f, missing);
    }

    public Grounding plus(Grounding other) {
        return new Grounding(exact + other.exact, normalized + other.normalized, fuzzy + other.fuzzy,
                notFound + other.notFound);
    }

    public int items() {
        return exact + normalized + fuzzy + notFound;
    }

    public int found() {
        return exact + normalized + fuzzy;
    }

    /** True when every item was found (also when there were none). */
    public boolean allFound() {
        return notFound == 0;
    }
}
