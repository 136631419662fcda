package dev.asclepius.tasks.eval;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.Abbreviation;
import dev.asclepius.tasks.Answer;
import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.CoreferenceChain;
import dev.asclepius.tasks.Entity;
import dev.asclepius.tasks.Evidence;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiPredicate;

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
 *       recall matched / expected items. Span recall is over the expectations' non-null span fields (an
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

    private static final Set<String> STOP = Set.of("the", "a", "an", "of", "and", "or", "in", "on", "at", "to", "for",
            "with", "by", "was", "were", "is", "are", "be", "been", "his", "her", "their", "patient", "s", "he", "she",
            "it", "this", "that", "as", "from", "had", "has", "have");

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
                String id = str(o, "id").orElse(where);
                Task task;
                try {
                    task = Task.valueOf(str(o, "task").orElse("?"));
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException(where + ": task must be one of ENTITIES, ABBREVIATIONS, RELATIONS, "
                            + "TIMELINE, COREFERENCES, PARAPHRASE, SUMMARY, QUESTION_ANSWERING, got " + o.get("task"));
                }
                String note = str(o, "note").orElseThrow(() -> new InvalidInputException(where + ": no \"note\""));
                String answer = str(o, "answer").orElseThrow(() -> new InvalidInputException(where + ": no \"answer\""));
                if (!o.has("expected") || !o.get("expected").isJsonObject()) {
                    throw new InvalidInputException(where + ": no \"expected\" object");
                }
                boolean truncated = o.has("truncated") && !o.get("truncated").isJsonNull() && o.get("truncated").getAsBoolean();
                out.add(new Case(id, task, ClinicalNote.of(note), str(o, "question").orElse(""), answer, truncated,
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
                        + (matched ? " (item parsed; carries " + texts(carried) + ")" : " (item not parsed)")));
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
                case ENTITIES -> entities(c, cast(parsed.value()), t, misses);
                case ABBREVIATIONS -> abbreviations(c, cast(parsed.value()), t, misses);
                case RELATIONS -> relations(c, cast(parsed.value()), t, misses);
                case TIMELINE -> timeline(c, ((Timeline) parsed.value()).events(), t, misses);
                case COREFERENCES -> coreferences(c, cast(parsed.value()), t, misses);
                case PARAPHRASE -> {
                    Paraphrase p = (Paraphrase) parsed.value();
                    freeText(c, p.text(), t, misses);
                    t.span(str(c.expected(), "original_span"), p.originalSpans(), true, c, misses, "original");
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
                    for (String s : strings(c.expected(), "evidence_spans")) {
                        t.spans++;
                        String want = trimPunct(s);
                        // grounded: an evidence span's note text is the expected evidence or contains it
                        if (evidence.stream().anyMatch(sp -> trimPunct(sp.text()).toLowerCase(Locale.ROOT)
                                .contains(want.toLowerCase(Locale.ROOT)))) {
                            t.spansFound++;
                        } else {
                            misses.add(new Miss(c.id(), c.task(), Miss.Kind.SPAN_MISSED, "evidence span '" + s + "' (evidence: "
                                    + texts(evidence) + ")"));
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
        List<JsonObject> exp = items(c.expected());
        int[] m = match(exp, parsed, (e, p) -> equalsAny(p.text(), e, "text", "accept"));
        tallyList(c, exp, parsed.size(), m, t, misses, i -> describe(exp.get(i), "text"),
                j -> parsed.get(j).text());
        for (int i = 0; i < exp.size(); i++) {
            JsonObject e = exp.get(i);
            Entity p = m[i] >= 0 ? parsed.get(m[i]) : null;
            t.span(str(e, "span"), p == null ? List.of() : p.spans(), p != null, c, misses, "entity '" + describe(e, "text") + "'");
            if (p == null) {
                continue;
            }
            groundedAnyway(c, e, "span", p.spans(), misses, "entity '" + p.text() + "'");
            str(e, "type").ifPresent(type -> t.field("type", type.equalsIgnoreCase(p.type().name())));
            t.field("dosage", sameOptional(str(e, "dosage"), p.dosage()));
            t.field("result", sameOptional(str(e, "result"), p.result()));
            t.field("status", str(e, "status").map(String::toUpperCase).equals(p.status().map(Enum::name)));
        }
    }

    private static void abbreviations(Case c, List<Abbreviation> parsed, Tally t, List<Miss> misses) {
        List<JsonObject> exp = items(c.expected());
        int[] m = match(exp, parsed, (e, p) -> equalsAny(p.shortForm(), e, "short", null)
                && equalsAny(p.expansion(), e, "expansion", "accept_expansion"));
        tallyList(c, exp, parsed.size(), m, t, misses, i -> describe(exp.get(i), "short") + " = " + describe(exp.get(i), "expansion"),
                j -> parsed.get(j).shortForm() + " = " + parsed.get(j).expansion());
        for (int i = 0; i < exp.size(); i++) {
            Abbreviation p = m[i] >= 0 ? parsed.get(m[i]) : null;
            t.span(str(exp.get(i), "span"), p == null ? List.of() : p.spans(), p != null, c, misses,
                    "abbreviation '" + describe(exp.get(i), "short") + "'");
            if (p != null) {
                groundedAnyway(c, exp.get(i), "span", p.spans(), misses, "abbreviation '" + p.shortForm() + "'");
            }
        }
    }

    private static void relations(Case c, List<Relation> parsed, Tally t, List<Miss> misses) {
        List<JsonObject> exp = items(c.expected());
        int[] m = match(exp, parsed, (e, p) -> straight(e, p) || crossed(e, p));
        tallyList(c, exp, parsed.size(), m, t, misses, i -> describe(exp.get(i), "head") + " ~ " + describe(exp.get(i), "tail"),
                j -> parsed.get(j).head() + " ~ " + parsed.get(j).tail());
        for (int i = 0; i < exp.size(); i++) {
            JsonObject e = exp.get(i);
            Relation p = m[i] >= 0 ? parsed.get(m[i]) : null;
            boolean straight = p != null && straight(e, p);
            List<Span> headSpans = p == null ? List.of() : straight ? p.headSpans() : p.tailSpans();
            List<Span> tailSpans = p == null ? List.of() : straight ? p.tailSpans() : p.headSpans();
            t.span(str(e, "head_span"), headSpans, p != null, c, misses, "head '" + describe(e, "head") + "'");
            t.span(str(e, "tail_span"), tailSpans, p != null, c, misses, "tail '" + describe(e, "tail") + "'");
            if (p != null) {
                groundedAnyway(c, e, "head_span", headSpans, misses, "head '" + describe(e, "head") + "'");
                groundedAnyway(c, e, "tail_span", tailSpans, misses, "tail '" + describe(e, "tail") + "'");
            }
        }
    }

    private static boolean straight(JsonObject e, Relation p) {
        return equalsAny(p.head(), e, "head", "accept_head") && equalsAny(p.tail(), e, "tail", "accept_tail");
    }

    private static boolean crossed(JsonObject e, Relation p) {
        return equalsAny(p.tail(), e, "head", "accept_head") && equalsAny(p.head(), e, "tail", "accept_tail");
    }

    private static void timeline(Case c, List<TimelineEvent> parsed, Tally t, List<Miss> misses) {
        List<JsonObject> exp = items(c.expected());
        int[] m = match(exp, parsed, (e, p) -> equalsAny(p.timeExpression(), e, "time", "accept_time") && sameEvent(p.event(), e));
        tallyList(c, exp, parsed.size(), m, t, misses, i -> describe(exp.get(i), "time") + " | " + describe(exp.get(i), "event"),
                j -> parsed.get(j).timeExpression() + " | " + parsed.get(j).event());
        for (int i = 0; i < exp.size(); i++) {
            JsonObject e = exp.get(i);
            TimelineEvent p = m[i] >= 0 ? parsed.get(m[i]) : null;
            t.span(str(e, "time_span"), p == null ? List.of() : p.timeSpans(), p != null, c, misses, "time '" + describe(e, "time") + "'");
            if (p != null) {
                groundedAnyway(c, e, "time_span", p.timeSpans(), misses, "time '" + p.timeExpression() + "'");
                str(e, "normalized").ifPresent(n -> t.field("normalized", p.normalized().map(v -> v.value().equals(n)).orElse(false)));
            }
        }
    }

    private static boolean sameEvent(String event, JsonObject e) {
        List<String> wanted = new ArrayList<>();
        str(e, "event").ifPresent(wanted::add);
        wanted.addAll(strings(e, "accept_event"));
        for (String w : wanted) {
            if (norm(w).equals(norm(event)) || dice(w, event) >= EVENT_DICE) {
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
                List<Span> own = ch.mentionSpans().stream().filter(s -> norm(s.text()).equals(norm(mention))).toList();
                parsed.add(new Pair(mention, ch.referent(), own, ch.referentSpans()));
            }
        }
        List<JsonObject> exp = items(c.expected());
        int[] m = match(exp, parsed, (e, p) -> equalsAny(p.mention(), e, "mention", null)
                && equalsAny(p.referent(), e, "referent", "accept_referent"));
        tallyList(c, exp, parsed.size(), m, t, misses, i -> describe(exp.get(i), "mention") + " -> " + describe(exp.get(i), "referent"),
                j -> parsed.get(j).mention() + " -> " + parsed.get(j).referent());
        for (int i = 0; i < exp.size(); i++) {
            JsonObject e = exp.get(i);
            Pair p = m[i] >= 0 ? parsed.get(m[i]) : null;
            t.span(str(e, "mention_span"), p == null ? List.of() : p.mentionSpans(), p != null, c, misses,
                    "mention '" + describe(e, "mention") + "'");
            t.span(str(e, "referent_span"), p == null ? List.of() : p.referentSpans(), p != null, c, misses,
                    "referent '" + describe(e, "referent") + "'");
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
            misses.add(new Miss(c.id(), c.task(), Miss.Kind.GROUNDED_ANYWAY, what + " grounded at " + texts(spans)));
        }
    }

    /** A maximum one-to-one matching (augmenting paths): result[i] is the parsed index of expected i, or -1. */
    static <E, P> int[] match(List<E> expected, List<P> parsed, BiPredicate<E, P> same) {
        boolean[][] ok = new boolean[expected.size()][parsed.size()];
        for (int i = 0; i < expected.size(); i++) {
            for (int j = 0; j < parsed.size(); j++) {
                ok[i][j] = same.test(expected.get(i), parsed.get(j));
            }
        }
        int[] ofParsed = new int[parsed.size()];
        java.util.Arrays.fill(ofParsed, -1);
        for (int i = 0; i < expected.size(); i++) {
            augment(i, ok, ofParsed, new boolean[parsed.size()]);
        }
        int[] ofExpected = new int[expected.size()];
        java.util.Arrays.fill(ofExpected, -1);
        for (int j = 0; j < parsed.size(); j++) {
            if (ofParsed[j] >= 0) {
                ofExpected[ofParsed[j]] = j;
            }
        }
        return ofExpected;
    }

    private static boolean augment(int i, boolean[][] ok, int[] ofParsed, boolean[] seen) {
        for (int j = 0; j < ofParsed.length; j++) {
            if (ok[i][j] && !seen[j]) {
                seen[j] = true;
                if (ofParsed[j] < 0 || augment(ofParsed[j], ok, ofParsed, seen)) {
                    ofParsed[j] = i;
                    return true;
                }
            }
        }
        return false;
    }

    // ---- free-text tasks

    private static void freeText(Case c, String text, Tally t, List<Miss> misses) {
        String hay = " " + spaced(text) + " ";
        for (String k : strings(c.expected(), "key_phrases")) {
            t.expected++;
            if (hay.contains(" " + spaced(k) + " ")) {
                t.matched++;
                t.parsed++;
            } else {
                misses.add(new Miss(c.id(), c.task(), Miss.Kind.NOT_FOUND, "key phrase '" + k + "'"));
            }
        }
        for (String x : strings(c.expected(), "excluded_phrases")) {
            if (!spaced(x).isEmpty() && hay.contains(" " + spaced(x) + " ")) {
                t.parsed++;
                misses.add(new Miss(c.id(), c.task(), Miss.Kind.EXCLUDED_FOUND, "excluded phrase '" + x + "'"));
            }
        }
    }

    // ---- checks and text

    private static void checkExact(Case c, Object value, List<Miss> misses) {
        for (Span s : spansOf(value)) {
            if (s.end() > c.note().text().length() || !c.note().text().substring(s.begin(), s.end()).equals(s.text())) {
                misses.add(new Miss(c.id(), c.task(), Miss.Kind.SPAN_INEXACT, "[" + s.begin() + "," + s.end() + ") '" + s.text() + "'"));
            }
        }
    }

    private static List<Span> spansOf(Object value) {
        List<Span> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object o : list) {
                out.addAll(spansOf(o));
            }
        } else if (value instanceof Entity e) {
            out.addAll(e.spans());
        } else if (value instanceof Abbreviation a) {
            out.addAll(a.spans());
        } else if (value instanceof Relation r) {
            out.addAll(r.headSpans());
            out.addAll(r.tailSpans());
        } else if (value instanceof Timeline tl) {
            for (TimelineEvent e : tl.events()) {
                out.addAll(e.eventSpans());
                out.addAll(e.timeSpans());
            }
        } else if (value instanceof CoreferenceChain ch) {
            out.addAll(ch.mentionSpans());
            out.addAll(ch.referentSpans());
        } else if (value instanceof Paraphrase p) {
            out.addAll(p.originalSpans());
        } else if (value instanceof Answer a) {
            for (Evidence e : a.evidence()) {
                out.addAll(e.spans());
            }
        }
        return out;
    }

    /** Lower case, punctuation as spaces, single spaces, without a leading "the", "a", "an" or "patient's". */
    static String spaced(String s) {
        String t = s.toLowerCase(Locale.ROOT).replace("’", "'").replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
        String prev;
        do {
            prev = t;
            t = t.replaceFirst("^(?:the|a|an|patient s|patients)\\s+", "");
        } while (!t.equals(prev));
        return t;
    }

    /** The comparison form of an item: {@link #spaced} without the spaces ("X-ray" equals "xray"). */
    static String norm(String s) {
        return spaced(s).replace(" ", "");
    }

    static double dice(String a, String b) {
        List<String> x = content(a);
        List<String> y = content(b);
        if (x.isEmpty() || y.isEmpty()) {
            return 0;
        }
        List<String> rest = new ArrayList<>(y);
        int common = 0;
        for (String w : x) {
            if (rest.remove(w)) {
                common++;
            }
        }
        return 2.0 * common / (x.size() + y.size());
    }

    private static List<String> content(String s) {
        List<String> out = new ArrayList<>();
        for (String w : spaced(s).split(" ")) {
            if (!w.isEmpty() && !STOP.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }

    private static boolean equalsAny(String parsed, JsonObject e, String field, String acceptField) {
        String p = norm(parsed);
        if (p.isEmpty()) {
            return false;
        }
        if (str(e, field).map(ParseEval::norm).filter(p::equals).isPresent()) {
            return true;
        }
        return acceptField != null && strings(e, acceptField).stream().map(ParseEval::norm).anyMatch(p::equals);
    }

    private static boolean sameOptional(Optional<String> expected, Optional<String> parsed) {
        return expected.map(ParseEval::norm).equals(parsed.map(ParseEval::norm));
    }

    private static String trimPunct(String s) {
        return s.strip().replaceAll("^[\\p{Punct}\\s]+|[\\p{Punct}\\s]+$", "").replaceAll("\\s+", " ");
    }

    private static String texts(List<Span> spans) {
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>();
        for (Span s : spans) {
            if (seen.add(s.text()) && out.size() < 4) {
                out.add("'" + s.text() + "'");
            }
        }
        return out.isEmpty() ? "no span" : String.join(", ", out);
    }

    private static String describe(JsonObject e, String field) {
        return str(e, field).orElse("?");
    }

    private static List<JsonObject> items(JsonObject expected) {
        List<JsonObject> out = new ArrayList<>();
        if (expected.has("items") && expected.get("items").isJsonArray()) {
            for (JsonElement el : expected.getAsJsonArray("items")) {
                out.add(el.getAsJsonObject());
            }
        }
        return out;
    }

    static Optional<String> str(JsonObject o, String key) {
        if (!o.has(key) || o.get(key).isJsonNull()) {
            return Optional.empty();
        }
        String s = o.get(key).getAsString();
        return s.isBlank() ? Optional.empty() : Optional.of(s);
    }

    private static List<String> strings(JsonObject o, String key) {
        List<String> out = new ArrayList<>();
        if (o.has(key) && o.get(key).isJsonArray()) {
            for (JsonElement el : o.getAsJsonArray(key)) {
                if (!el.isJsonNull() && !el.getAsString().isBlank()) {
                    out.add(el.getAsString());
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> cast(Object value) {
        return (List<T>) value; // the task's documented value type
    }
}
