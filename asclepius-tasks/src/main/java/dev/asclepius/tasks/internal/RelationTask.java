package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.Grounding;
import dev.asclepius.tasks.Relation;
import dev.asclepius.tasks.Span;
import dev.asclepius.tasks.Task;
import java.util.ArrayList;
import dev.asclepius.tasks.internal.TaskSpec.Reply;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Relations: all relations between treatments, tests and conditions, or the relation between two named
 * items (the seeds' "Identify the connection between 'Metformin' and 'Type 2 diabetes'").
 */
public final class RelationTask {
    private RelationTask() {
    }

    public static final String ALL_QUESTION = "Identify the connections between the medications, procedures and "
            + "tests and the patient's medical conditions in this discharge summary. Please list each connection on "
            + "its own line, naming both items and how they are related.";

    public static String pairQuestion(String a, String b) {
        return "Identify the connection between '" + a + "' and '" + b + "' in this discharge summary.";
    }

    /** Relation phrases, longest first so "prescribed to treat" wins over "treat". */
    private static final Pattern CUE = Pattern.compile("(?i)\\b(?:(?:was|were|is|are|has been|had been)\\s+)?("
            + "(?:prescribed|given|administered|started|used|performed) to (?:treat|manage|control|prevent)|prescribed for|started for|given for|administered for|"
            + "used for|indicated for|to (?:treat|manage|control|prevent)|"
            + "treats|treated with|treated|managed with|managed by|manages|controls|prevents|"
            + "caused by|causes|caused|led to|leads to|resulted in|results in|due to|secondary to|attributed to|"
            + "associated with|related to|linked to|complicated by|complication of|a complication of|"
            + "side effect of|a side effect of|contraindicated in|worsened|worsens|improved|improves|"
            + "diagnosed (?:by|with|via)|confirmed|revealed|showed|indicates|indicated|"
            + "monitored with|monitored by|performed for)\\b");
    private static final Pattern TRAILING_PAREN = Pattern.compile("^(.+?)\\s*\\(([^()]+)\\)\\.?$");
    private static final Pattern PARTS = Pattern.compile("\\s+(?:[-–—]|->|→|=>|\\|)\\s+");
    private static final Pattern TAIL_END = Pattern.compile("(?i),\\s|;\\s|\\.\\s|\\s+(?:as|which|because|since|"
            + "given that|in order to)\\s|\\s+\\(");

    public static TaskSpec<List<Relation>> all() {
        return new TaskSpec<>() {
            @Override
            public Task task() {
                return Task.RELATIONS;
            }

            @Override
            public List<String> instructions() {
                return List.of(ALL_QUESTION);
            }

            @Override
            public List<Relation> parse(Grounder grounder, List<Reply> replies) {
                List<Relation> out = new ArrayList<>();
                for (Reply r : replies) {
                    out.addAll(AnswerParsers.list(AnswerParsers.parse(Task.RELATIONS, grounder, ALL_QUESTION, r)));
                }
                return out;
            }

            @Override
            public Grounding grounding(List<Relation> value) {
                return RelationTask.grounding(value);
            }
        };
    }

    public static TaskSpec<Optional<Relation>> between(String a, String b) {
        return new TaskSpec<>() {
            @Override
            public Task task() {
                return Task.RELATIONS;
            }

            @Override
            public List<String> instructions() {
                return List.of(pairQuestion(a, b));
            }

            @Override
            public Optional<Relation> parse(Grounder grounder, List<Reply> replies) {
                return AnswerParsers.first(AnswerParsers.parse(Task.RELATIONS, grounder, pairQuestion(a, b), replies.get(0)));
            }

            @Override
            public Grounding grounding(Optional<Relation> value) {
                return RelationTask.grounding(value.stream().toList());
            }
        };
    }

    static Grounding grounding(List<Relation> relations) {
        List<List<Span>> items = new ArrayList<>();
        for (Relation r : relations) {
            items.add(r.headSpans());
            items.add(r.tailSpans());
        }
        return Grounding.of(items);
    }

    public static List<Relation> parseAll(Grounder grounder, Reply reply) {
        String text = AnswerText.complete(reply.text(), reply.truncated());
        List<Relation> out = new ArrayList<>();
        for (String raw : AnswerText.lines(text)) {
            String line = AnswerText.stripBullet(raw);
            if (AnswerText.isPreamble(line) || AnswerText.isNothingLine(line)) {
                continue;
            }
            String[] parts = PARTS.split(line);
            if (parts.length >= 3) {
                // "Metformin - treats - type 2 diabetes[ - explanation]"
                String explanation = parts.length > 3 ? String.join(" - ", List.of(parts).subList(3, parts.length)) : "";
                add(out, grounder, parts[0], parts[1], parts[2], explanation);
                continue;
            }
            if (parts.length == 2) {
                Matcher cue = CUE.matcher(parts[1]);
                Matcher paren = TRAILING_PAREN.matcher(parts[1]);
                if (cue.find() && cue.start() == 0) {
                    // "Metformin - prescribed for type 2 diabetes"
                    splitTail(out, grounder, parts[0], cue.group(1), parts[1].substring(cue.end()));
                } else if (paren.matches()) {
                    // "Metformin -> type 2 diabetes (treatment)"
                    add(out, grounder, parts[0], paren.group(2), paren.group(1), "");
                } else if (!CUE.matcher(line).find()) {
                    add(out, grounder, parts[0], "related to", parts[1], "");
                } else {
                    parseSentences(out, grounder, line);
                }
                continue;
            }
            parseSentences(out, grounder, line.replaceFirst("^([^:]{2,60}):\\s+", "$1 "));
        }
        return out;
    }

    private static void parseSentences(List<Relation> out, Grounder grounder, String line) {
        for (String sentence : AnswerText.sentences(line)) {
            String s = sentence.replaceFirst("(?i)^(?:based on|according to|in) [^,]{0,60},\\s*", "");
            Matcher cue = CUE.matcher(s);
            if (cue.find() && cue.start() > 0 && !AnswerText.saysNothingFound(s)) {
                splitTail(out, grounder, s.substring(0, cue.start()), cue.group(1), s.substring(cue.end()));
            }
        }
    }

    private static void splitTail(List<Relation> out, Grounder grounder, String head, String label, String rest) {
        String r = rest.strip();
        Matcher end = TAIL_END.matcher(r);
        String tail = r;
        String explanation = "";
        if (end.find()) {
            tail = r.substring(0, end.start());
            explanation = r.substring(end.start()).replaceFirst("^[,;.]?\\s*", "").replaceFirst("^\\(", "");
            explanation = explanation.replaceFirst("\\)\\.?$", "");
        }
        add(out, grounder, head, label, tail, explanation);
    }

    private static String cleanItem(String s) {
        String t = AnswerText.tidy(s);
        t = t.replaceFirst("(?i)^(?:the use of|use of|the patient's|the patient|patient's|his|her|the)\\s+", "");
        t = t.replaceFirst("(?i)^(?:the|a|an)\\s+", "");
        return AnswerText.tidy(t);
    }

    private static void add(List<Relation> out, Grounder grounder, String head, String label, String tail,
                            String explanation) {
        String h = cleanItem(head);
        String t = cleanItem(tail);
        if (h.isEmpty() || t.isEmpty()) {
            return;
        }
        String l = AnswerText.tidy(label).toLowerCase(Locale.ROOT);
        out.add(new Relation(h, l.isEmpty() ? "related to" : l, t, AnswerText.tidy(explanation),
                grounder.locate(h), grounder.locate(t)));
    }

    /** The relation between {@code a} and {@code b}: the first relation phrase of the answer, or "related to". */
    public static Optional<Relation> parsePair(Grounder grounder, Reply reply, String a, String b) {
        String text = AnswerText.stripFiller(AnswerText.complete(reply.text(), reply.truncated()));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Matcher cue = CUE.matcher(text);
        boolean hasCue = cue.find();
        String first = AnswerText.sentences(text).get(0);
        if (AnswerText.saysNothingFound(first) && !hasCue) {
            return Optional.empty();
        }
        String label = hasCue ? cue.group(1).toLowerCase(Locale.ROOT) : "related to";
        return Optional.of(new Relation(a, label, b, text.replace('\n', ' ').replaceAll("\\s+", " "),
                grounder.locate(a), grounder.locate(b)));
    }
}
