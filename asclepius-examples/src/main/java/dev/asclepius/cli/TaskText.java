package dev.asclepius.cli;

import dev.asclepius.tasks.Abbreviation;
import dev.asclepius.tasks.Answer;
import dev.asclepius.tasks.CoreferenceChain;
import dev.asclepius.tasks.Entity;
import dev.asclepius.tasks.Evidence;
import dev.asclepius.tasks.Exchange;
import dev.asclepius.tasks.Grounding;
import dev.asclepius.tasks.MatchKind;
import dev.asclepius.tasks.Paraphrase;
import dev.asclepius.tasks.Relation;
import dev.asclepius.tasks.Span;
import dev.asclepius.tasks.Summary;
import dev.asclepius.tasks.TaskResult;
import dev.asclepius.tasks.Timeline;
import dev.asclepius.tasks.TimelineEvent;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Prints task values for people: one item per line, each with its spans in the note as {@code [begin,end)}
 * (followed by {@code ~normalized} / {@code ~fuzzy} when the match was not exact), and
 * {@value #NOT_FOUND} at the end of an item the note does not contain.
 */
final class TaskText {
    static final String NOT_FOUND = "(NOT FOUND in note)";

    private TaskText() {
    }

    static final String NOTHING_NAMED = "(none: the answer names nothing)";

    /** Prints any task value: a list, an Optional (focused forms), or a single record. */
    static void print(PrintWriter out, Object value) {
        print(out, value, NOTHING_NAMED);
    }

    /** {@link #print(PrintWriter, Object)}, with {@code empty} printed for an empty list or Optional. */
    static void print(PrintWriter out, Object value, String empty) {
        if (value instanceof Optional<?> optional) {
            if (optional.isEmpty()) {
                out.println(empty);
            } else {
                print(out, optional.get(), empty);
            }
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                out.println(empty);
            }
            for (Object item : list) {
                print(out, item, empty);
            }
        } else if (value instanceof Timeline timeline) {
            print(out, timeline.events(), empty);
        } else {
            item(out, value);
        }
    }

    /**
     * What an empty result means: the model named nothing, or its answers were cut by the token budget
     * before naming anything complete (a cut last line is dropped, so a short budget can leave nothing).
     */
    static String emptyWording(TaskResult<?> result) {
        long cut = result.exchanges().stream().filter(Exchange::truncated).count();
        if (cut == 0) {
            return NOTHING_NAMED;
        }
        if (cut == result.exchanges().size()) {
            return "(none: " + (cut == 1 ? "the answer was" : "every answer was") + " cut at --max-new-tokens before "
                    + "naming anything complete; rerun with a larger --max-new-tokens)";
        }
        return "(none: " + cut + " of " + result.exchanges().size() + " answers were cut at --max-new-tokens and the "
                + "rest name nothing; rerun with a larger --max-new-tokens)";
    }

    static void printGrounding(PrintWriter out, Grounding g) {
        out.printf("grounding: %d items: %d exact, %d normalized, %d fuzzy, %d not found%n", g.items(), g.exact(),
                g.normalized(), g.fuzzy(), g.notFound());
    }

    private static void item(PrintWriter out, Object value) {
        if (value instanceof Entity e) {
            List<String> attributes = new ArrayList<>();
            e.dosage().ifPresent(d -> attributes.add("dosage: " + d));
            e.result().ifPresent(r -> attributes.add("result: " + r));
            e.status().ifPresent(s -> attributes.add("status: " + lower(s)));
            String details = attributes.isEmpty() ? "" : " (" + String.join("; ", attributes) + ")";
            out.println("- " + lower(e.type()) + ": " + e.text() + details + " " + spans(e.spans()));
        } else if (value instanceof Abbreviation a) {
            out.println("- " + a.shortForm() + " = " + a.expansion() + " " + spans(a.spans()));
        } else if (value instanceof Relation r) {
            out.println("- " + r.head() + " --[" + r.relation() + "]--> " + r.tail()
                    + "  head " + spans(r.headSpans()) + "  tail " + spans(r.tailSpans()));
            if (!r.explanation().isEmpty()) {
                out.println("    because: " + r.explanation());
            }
        } else if (value instanceof TimelineEvent t) {
            String normalized = t.normalized().map(n -> " = " + lower(n.kind()) + " " + n.value()).orElse("");
            out.println(t.order() + ". " + t.timeExpression() + normalized + ": " + t.event()
                    + "  time " + spans(t.timeSpans()) + "  event " + spans(t.eventSpans()));
        } else if (value instanceof CoreferenceChain c) {
            out.println("- " + String.join(", ", c.mentions()) + " -> " + c.referent()
                    + "  referent " + spans(c.referentSpans()) + "  mentions " + spans(c.mentionSpans()));
        } else if (value instanceof Paraphrase p) {
            p.original().ifPresent(o -> out.println("original: " + o + " " + spans(p.originalSpans())));
            out.println(p.text());
        } else if (value instanceof Summary s) {
            out.println(s.text());
            out.println("key points:");
            s.keyPoints().forEach(k -> out.println("- " + k));
        } else if (value instanceof Answer a) {
            out.println("answer: " + a.text());
            out.println("found in note: " + (a.found() ? "yes" : "no (the answer says the note lacks it)"));
            for (Evidence e : a.evidence()) {
                out.println("- evidence \"" + e.quote() + "\" " + spans(e.spans()));
            }
        } else {
            out.println(value);
        }
    }

    /** {@code [12,21) [40,49)~fuzzy}, or the not-found marker. */
    static String spans(List<Span> spans) {
        if (spans.isEmpty()) {
            return NOT_FOUND;
        }
        return spans.stream()
                .map(s -> "[" + s.begin() + "," + s.end() + ")" + (s.match() == MatchKind.EXACT ? "" : "~" + lower(s.match())))
                .collect(Collectors.joining(" "));
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
