package dev.asclepius.tasks.eval;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.Abbreviation;
import dev.asclepius.tasks.Answer;
import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.CoreferenceChain;
import dev.asclepius.tasks.Entity;
import dev.asclepius.tasks.Paraphrase;
import dev.asclepius.tasks.Parsed;
import dev.asclepius.tasks.Relation;
import dev.asclepius.tasks.Span;
import dev.asclepius.tasks.Summary;
import dev.asclepius.tasks.Task;
import dev.asclepius.tasks.TaskParsers;
import dev.asclepius.tasks.TaskType;
import dev.asclepius.tasks.Timeline;
import dev.asclepius.tasks.TimelineEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Scores the task parsers on a corpus of saved answers with their expected records (JSON lines: id, task,
 * note_id, note, question, answer, truncated, expected). Each answer is parsed with
 * {@link TaskParsers#parse(TaskType, ClinicalNote, String, String, boolean)}, as {@code asclepius parse
 * --question} would, and compared with its expectations:
 * <ul>
 *   <li>list tasks: expected and parsed items are matched one to one (a maximum matching). Entity: the
 *       text; abbreviation: short form and expansion; relation: {head, tail} in either order; timeline:
 *       the time and the event (equal, or content-word Dice at least {@value #EVENT_DICE}); coreference:
 *       chains flattened to (mention, referent) pairs, both equal. Precision is matched / parsed items,
 *       recall matched / expected EvalText.items. Span recall is over the expectations' non-null span fields (an
 *       unmatched item's spans count as missed): the matched parsed item carries a span with that text.</li>
 *   <li>free-text tasks (paraphrase, summary, question answering): the items are the key phrases, kept when
 *       the parsed text contains them; each excluded phrase the text contains is a false positive; question
 *       answering's found flag is one more item. Span recall: the paraphrased sentence's span (paraphrase),
 *       the evidence spans (question answering); summary has none.</li>
 * </ul>
 * Text compares case-, whitespace- and punctuation-insensitively, ignoring a leading "the", "a", "an" or
 * "patient's", with the expectations' accept lists as alternatives.
 */
public final class ParseEval {
    /** Least content-word Dice similarity for a parsed event to match an expected one. */
    public static final double EVENT_DICE = 0.5;

    private ParseEval() {
    }

    /** Reads and scores every case of the given JSON-lines files. */
    public static ParseEvalReport run(List<Path> files) {
        List<Case> cases = new ArrayList<>();
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new InvalidInputException("Cannot read the cases file " + f + ": " + e.getMessage());
            }
            cases.addAll(read(text, f.toString()));
        }
        return evaluate(cases);
    }

    /** Scores the cases of one JSON-lines text ({@code source} names it in error messages). */
    public static ParseEvalReport run(String jsonLines, String source) {
        return evaluate(read(jsonLines, source));
    }

    record Case(String id, Task task, ClinicalNote note, String question, String answer, boolean truncated,
                JsonObject expected) {
    }

    static List<Case> read(String text, String source) {
        List<Case> out = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = source + " line " + (i + 1);
            try {
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                String id = EvalText.str(o, "id").orElse(where);
                Task task;
                try {
                    task = Task.valueOf(EvalText.str(o, "task").orElse("?"));
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException(where + ": task must be one of ENTITIES, ABBREVIATIONS, RELATIONS, "
                            + "TIMELINE, COREFERENCES, PARAPHRASE, SUMMARY, QUESTION_ANSWERING, got " + o.get("task"));
                }
                String note = EvalText.str(o, "note").orElseThrow(() -> new InvalidInputException(where + ": no \"note\""));
                String answer = EvalText.str(o, "answer").orElseThrow(() -> new InvalidInputException(where + ": no \"answer\""));
                if (!o.has("expected") || !o.get("expected").isJsonObject()) {
                    throw new InvalidInputException(where + ": no \"expected\" object");
                }
                boolean truncated = o.has("truncated") && !o.get("truncated").isJsonNull() && o.get("truncated").getAsBoolean();
                out.add(new Case(id, task, ClinicalNote.of(note), EvalText.str(o, "question").orElse(""), answer, truncated,
                        o.getAsJsonObject("expected")));
            } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
                throw new InvalidInputException(where + " is not a JSON object with string fields: " + e.getMessage());
            }
        }
        return out;
    }

    private static final class Tally {
        int cases;
        int expected;
        int parsed;
        int matched;
        int spans;
        int spansFound;
        final Map<String, int[]> fields = new TreeMap<>();

        void field(String name, boolean agree) {
            int[] f = fields.computeIfAbsent(name, k -> new int[2]);
            f[0] += agree ? 1 : 0;
            f[1]++;
        }

        void span(Optional<String> expectedSpan, List<Span> carried, boolean matched, Case c, List<Miss> misses, String what) {
            if (expectedSpan.isEmpty()) {
                return;
            }
            spans++;
            if (matched && carried.stream().anyMatch(s -> s.text().equalsIgnoreCase(expectedSpan.get().strip()))) {
                spansFound++;
            } else {
                misses.add(new Miss(c.id(), c.task(), Miss.Kind.SPAN_MISSED, what + " span '" + expectedSpan.get() + "'"
                        + (matched ? " (item parsed; carries " + EvalText.texts(carried) + ")" : " (item not parsed)")));
            }
        }
    }

    static ParseEvalReport evaluate(List<Case> cases) {
        Map<Task, Tally> tallies = new EnumMap<>(Task.class);
        List<Miss> misses = new ArrayList<>();
        for (Case c : cases) {
            Tally t = tallies.computeIfAbsent(c.task(), k -> new Tally());
            t.cases++;
            Parsed<?> parsed = TaskParsers.parse(TaskType.of(c.task()), c.note(), c.question(), c.answer(), c.truncated());
            checkExact(c, parsed.value(), misses);
            switch (c.task()) {
                case ENTITIES -> entities(c, EvalText.cast(parsed.value()), t, misses);
                case ABBREVIATIONS -> abbreviations(c, EvalText.cast(parsed.value()), t, misses);
                case RELATIONS -> relations(c, EvalText.cast(parsed.value()), t, misses);
                case TIMELINE -> timeline(c, ((Timeline) parsed.value()).events(), t, misses);
                case COREFERENCES -> coreferences(c, EvalText.cast(parsed.value()), t, misses);
                case PARAPHRASE -> {
                    Paraphrase p = (Paraphrase) parsed.value();
                    freeText(c, p.text(), t, misses);
                    t.span(EvalText.str(c.expected(), "original_span"), p.originalSpans(), true, c, misses, "original");
                }
                case SUMMARY -> freeText(c, ((Summary) parsed.value()).text(), t, misses);
                case QUESTION_ANSWERING -> {
                    Answer a = (Answer) parsed.value();
                    freeText(c, a.text(), t, misses);
                    boolean found = !c.expected().has("found") || c.expected().get("found").isJsonNull()
                            || c.expected().get("found").getAsBoolean();
                    t.expected++;
                    t.parsed++;
                    if (found == a.found()) {
                        t.matched++;
                    } else {
                        misses.add(new Miss(c.id(), c.task(), Miss.Kind.FOUND_DISAGREES, "expected found=" + found
                                + ", parsed found=" + a.found()));
                    }
                    List<Span> evidence = a.evidence().stream().flatMap(e -> e.spans().stream()).toList();
                    for (String s : EvalText.strings(c.expected(), "evidence_spans")) {
                        t.spans++;
                        String want = EvalText.trimPunct(s);
                        // grounded: an evidence span's note text is the expected evidence or contains it
                        if (evidence.stream().anyMatch(sp -> EvalText.trimPunct(sp.text()).toLowerCase(Locale.ROOT)
                                .contains(want.toLowerCase(Locale.ROOT)))) {
                            t.spansFound++;
                        } else {
                            misses.add(new Miss(c.id(), c.task(), Miss.Kind.SPAN_MISSED, "evidence span '" + s + "' (evidence: "
                                    + EvalText.texts(evidence) + ")"));
                        }
                    }
                }
                default -> throw new IllegalStateException("unreachable");
            }
        }
        List<TaskScore> scores = new ArrayList<>();
        tallies.forEach((task, t) -> scores.add(new TaskScore(task, t.cases, t.expected, t.parsed, t.matched, t.spans,
                t.spansFound, t.fields)));
        return new ParseEvalReport(scores, misses);
    }

    // ---- list tasks

    private static void entities(Case c, List<Entity> parsed, Tally t, List<Miss> misses) {
        List<JsonObject> exp = EvalText.items(c.expected());
        int[] m = EvalText.match(exp, parsed, (e, p) -> EvalText.equalsAny(p.text(), e, "text", "accept"));
        tallyList(c, exp, parsed.size(), m, t, misses, i -> EvalText.describe(exp.get(i), "text"),
                j -> parsed.get(j).text());
        for (int i = 0; i < exp.size(); i++) {
            JsonObject e = exp.get(i);
            Entity p = m[i] >= 0 ? parsed.get(m[i]) : null;
            t.span(EvalText.str(e, "span"), p == null ? List.of() : p.spans(), p != null, c, misses, "entity '" + EvalText.describe(e, "text") + "'");
            if (p == null) {
                continue;
            }
            groundedAnyway(c, e, "span", p.spans(), misses, "entity '" + p.text() + "'");
            EvalText.str(e, "type").ifPresent(type -> t.field("type", type.equalsIgnoreCase(p.type().name())));
            t.field("dosage", EvalText.sameOptional(EvalText.str(e, "dosage"), p.dosage()));
            t.field("result", EvalText.sameOptional(EvalText.str(e, "result"), p.result()));
            t.field("status", EvalText.str(e, "status").map(String::toUpperCase).equals(p.status().map(Enum::name)));
        }
    }

    private static void abbreviations(Case c, List<Abbreviation> parsed, Tally t, List<Miss> misses) {
        List<JsonObject> exp = EvalText.items(c.expected());
        int[] m = EvalText.match(exp, parsed, (e, p) -> EvalText.equalsAny(p.shortForm(), e, "short", null)
                && EvalText.equalsAny(p.expansion(), e, "expansion", "accept_expansion"));
        tallyList(c, exp, parsed.size(), m, t, misses, i -> EvalText.describe(exp.get(i), "short") + " = " + EvalText.describe(exp.get(i), "expansion"),
                j -> parsed.get(j).shortForm() + " = " + parsed.get(j).expansion());
        for (int i = 0; i < exp.size(); i++) {
            Abbreviation p = m[i] >= 0 ? parsed.get(m[i]) : null;
            t.span(EvalText.str(exp.get(i), "span"), p == null ? List.of() : p.spans(), p != null, c, misses,
                    "abbreviation '" + EvalText.describe(exp.get(i), "short") + "'");
            if (p != null) {
                groundedAnyway(c, exp.get(i), "span", p.spans(), misses, "abbreviation '" + p.shortForm() + "'");
            }
        }
    }

    private static void relations(Case c, List<Relation> parsed, Tally t, List<Miss> misses) {
        List<JsonObject> exp = EvalText.items(c.expected());
        int[] m = EvalText.match(exp, parsed, (e, p) -> straight(e, p) || crossed(e, p));
        tallyList(c, exp, parsed.size(), m, t, misses, i -> EvalText.describe(exp.get(i), "head") + " ~ " + EvalText.describe(exp.get(i), "tail"),
                j -> parsed.get(j).head() + " ~ " + parsed.get(j).tail());
        for (int i = 0; i < exp.size(); i++) {
            JsonObject e = exp.get(i);
            Relation p = m[i] >= 0 ? parsed.get(m[i]) : null;
            boolean straight = p != null && straight(e, p);
            List<Span> headSpans = p == null ? List.of() : straight ? p.headSpans() : p.tailSpans();
            List<Span> tailSpans = p == null ? List.of() : straight ? p.tailSpans() : p.headSpans();
            t.span(EvalText.str(e, "head_span"), headSpans, p != null, c, misses, "head '" + EvalText.describe(e, "head") + "'");
            t.span(EvalText.str(e, "tail_span"), tailSpans, p != null, c, misses, "tail '" + EvalText.describe(e, "tail") + "'");
            if (p != null) {
                groundedAnyway(c, e, "head_span", headSpans, misses, "head '" + EvalText.describe(e, "head") + "'");
                groundedAnyway(c, e, "tail_span", tailSpans, misses, "tail '" + EvalText.describe(e, "tail") + "'");
            }
        }
    }

    private static boolean straight(JsonObject e, Relation p) {
        return EvalText.equalsAny(p.head(), e, "head", "accept_head") && EvalText.equalsAny(p.tail(), e, "tail", "accept_tail");
    }

    private static boolean crossed(JsonObject e, Relation p) {
        return EvalText.equalsAny(p.tail(), e, "head", "accept_head") && EvalText.equalsAny(p.head(), e, "tail", "accept_tail");
    }

    private static void timeline(Case c, List<TimelineEvent> parsed, Tally t, List<Miss> misses) {
        List<JsonObject> exp = EvalText.items(c.expected());
        int[] m = EvalText.match(exp, parsed, (e, p) -> EvalText.equalsAny(p.timeExpression(), e, "time", "accept_time") && sameEvent(p.event(), e));
        tallyList(c, exp, parsed.size(), m, t, misses, i -> EvalText.describe(exp.get(i), "time") + " | " + EvalText.describe(exp.get(i), "event"),
                j -> parsed.get(j).timeExpression() + " | " + parsed.get(j).event());
        for (int i = 0; i < exp.size(); i++) {
            JsonObject e = exp.get(i);
            TimelineEvent p = m[i] >= 0 ? parsed.get(m[i]) : null;
            t.span(EvalText.str(e, "time_span"), p == null ? List.of() : p.timeSpans(), p != null, c, misses, "time '" + EvalText.describe(e, "time") + "'");
            if (p != null) {
                groundedAnyway(c, e, "time_span", p.timeSpans(), misses, "time '" + p.timeExpression() + "'");
                EvalText.str(e, "normalized").ifPresent(n -> t.field("normalized", p.normalized().map(v -> v.value().equals(n)).orElse(false)));
            }
        }
    }

    private static boolean sameEvent(String event, JsonObject e) {
        List<String> wanted = new ArrayList<>();
        EvalText.str(e, "event").ifPresent(wanted::add);
        wanted.addAll(EvalText.strings(e, "accept_event"));
        for (String w : wanted) {
            if (EvalText.norm(w).equals(EvalText.norm(event)) || EvalText.dice(w, event) >= EVENT_DICE) {
                return true;
            }
        }
        return false;
    }

    private record Pair(String mention, String referent, List<Span> mentionSpans, List<Span> referentSpans) {
    }

    private static void coreferences(Case c, List<CoreferenceChain> chains, Tally t, List<Miss> misses) {
        List<Pair> parsed = new ArrayList<>();
        for (CoreferenceChain ch : chains) {
            for (String mention : ch.mentions()) {
                List<Span> own = ch.mentionSpans().stream().filter(s -> EvalText.norm(s.text()).equals(EvalText.norm(mention))).toList();
                parsed.add(new Pair(mention, ch.referent(), own, ch.referentSpans()));
            }
        }
        List<JsonObject> exp = EvalText.items(c.expected());
        int[] m = EvalText.match(exp, parsed, (e, p) -> EvalText.equalsAny(p.mention(), e, "mention", null)
                && EvalText.equalsAny(p.referent(), e, "referent", "accept_referent"));
        tallyList(c, exp, parsed.size(), m, t, misses, i -> EvalText.describe(exp.get(i), "mention") + " -> " + EvalText.describe(exp.get(i), "referent"),
                j -> parsed.get(j).mention() + " -> " + parsed.get(j).referent());
        for (int i = 0; i < exp.size(); i++) {
            JsonObject e = exp.get(i);
            Pair p = m[i] >= 0 ? parsed.get(m[i]) : null;
            t.span(EvalText.str(e, "mention_span"), p == null ? List.of() : p.mentionSpans(), p != null, c, misses,
                    "mention '" + EvalText.describe(e, "mention") + "'");
            t.span(EvalText.str(e, "referent_span"), p == null ? List.of() : p.referentSpans(), p != null, c, misses,
                    "referent '" + EvalText.describe(e, "referent") + "'");
            if (p != null) {
                groundedAnyway(c, e, "referent_span", p.referentSpans(), misses, "referent '" + p.referent() + "'");
            }
        }
    }

    private static void tallyList(Case c, List<JsonObject> exp, int parsedCount, int[] m, Tally t, List<Miss> misses,
                                  java.util.function.IntFunction<String> expected,
                                  java.util.function.IntFunction<String> parsed) {
        t.expected += exp.size();
        t.parsed += parsedCount;
        boolean[] used = new boolean[parsedCount];
        for (int i = 0; i < exp.size(); i++) {
            if (m[i] >= 0) {
                t.matched++;
                used[m[i]] = true;
            } else {
                misses.add(new Miss(c.id(), c.task(), Miss.Kind.NOT_FOUND, expected.apply(i)));
            }
        }
        for (int j = 0; j < parsedCount; j++) {
            if (!used[j]) {
                misses.add(new Miss(c.id(), c.task(), Miss.Kind.UNEXPECTED, parsed.apply(j)));
            }
        }
    }

    private static void groundedAnyway(Case c, JsonObject e, String field, List<Span> spans, List<Miss> misses, String what) {
        if (e.has(field) && e.get(field).isJsonNull() && !spans.isEmpty()) {
            misses.add(new Miss(c.id(), c.task(), Miss.Kind.GROUNDED_ANYWAY, what + " grounded at " + EvalText.texts(spans)));
        }
    }

    // ---- free-text tasks

    private static void freeText(Case c, String text, Tally t, List<Miss> misses) {
        String hay = " " + EvalText.spaced(text) + " ";
        for (String k : EvalText.strings(c.expected(), "key_phrases")) {
            t.expected++;
            if (hay.contains(" " + EvalText.spaced(k) + " ")) {
                t.matched++;
                t.parsed++;
            } else {
                misses.add(new Miss(c.id(), c.task(), Miss.Kind.NOT_FOUND, "key phrase '" + k + "'"));
            }
        }
        for (String x : EvalText.strings(c.expected(), "excluded_phrases")) {
            if (!EvalText.spaced(x).isEmpty() && hay.contains(" " + EvalText.spaced(x) + " ")) {
                t.parsed++;
                misses.add(new Miss(c.id(), c.task(), Miss.Kind.EXCLUDED_FOUND, "excluded phrase '" + x + "'"));
            }
        }
    }

    // ---- checks and text

    private static void checkExact(Case c, Object value, List<Miss> misses) {
        for (Span s : EvalText.spansOf(value)) {
            if (s.end() > c.note().text().length() || !c.note().text().substring(s.begin(), s.end()).equals(s.text())) {
                misses.add(new Miss(c.id(), c.task(), Miss.Kind.SPAN_INEXACT, "[" + s.begin() + "," + s.end() + ") '" + s.text() + "'"));
            }
        }
    }

}
