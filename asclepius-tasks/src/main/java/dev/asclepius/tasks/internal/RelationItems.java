package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.Relation;
import dev.asclepius.tasks.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One relation of an answer, once its parts are read: each side split at "and"/"then", the items cleaned of
 * articles and verbs, and both ends grounded in the note. Split from {@link RelationTask}, which reads the
 * answer's shapes (lists, tables, prose, pair answers).
 */
final class RelationItems {
    private RelationItems() {
    }

    static final Pattern PRONOUN = Pattern.compile("(?i)(?:and |but |then )?(?:he|she|it|they|this|these|that|which|who|"
            + "patient|the patient|(?:this|that|these|those) \\w+)"); // "this worsening" refers back: not an item

    static final Pattern PROPHYLAXIS = Pattern.compile("(?i)^([A-Za-z][\\w/-]*(?:\\s[\\w/-]+)?)\\s+(?:prophylaxis|prevention)$");

    static String cleanItem(String s) {
        String t = AnswerText.tidy(s.replaceFirst("\\s*\\([^()]*\\)\\s*$", "")); // "MCV (104)" is MCV
        t = t.replaceFirst("(?i)^(?:the use of|use of|the patient's|the patient|patient's|his|her|the)\\s+", "");
        t = t.replaceFirst("(?i)^(?:with|by|of|for|a|an|the|her|his|their)\\s+", "");
        t = t.replaceFirst("(?i)^(?:the|a|an)\\s+", "");
        t = t.replaceFirst("(?i)^(?:another|an|a|further|repeated) episodes? of\\s+", ""); // "another episode of febrile neutropenia"
        return AnswerText.tidy(t);
    }

    static void add(List<Relation> out, Grounder grounder, String head, String label, String tail,
                            String explanation) {
        // "Insulin glargine and insulin lispro -> type 1 diabetes": one relation per item on each side
        List<String> heads = conjuncts(head);
        List<String> tails = conjuncts(tail);
        if (heads.size() * tails.size() > 1) {
            for (String h : heads) {
                for (String t : tails) {
                    addOne(out, grounder, h, label, t, explanation);
                }
            }
            return;
        }
        addOne(out, grounder, head, label, tail, explanation);
    }

    static List<String> conjuncts(String side) {
        String s = side.strip();
        if (s.split("\\s+").length > 10 || s.contains("(")) {
            return List.of(s);
        }
        String[] parts = s.split("(?i)\\s*,\\s*then\\s+|\\s+then\\s+|\\s*,\\s*and\\s+|\\s+and\\s+");
        if (parts.length == 2 && parts[0].contains(",")) {
            // "Calcium gluconate, insulin with dextrose and sodium polystyrene sulfonate": a serial list, each a name
            List<String> serial = new ArrayList<>(List.of(parts[0].split("\\s*,\\s*")));
            serial.add(parts[1]);
            if (serial.size() <= 5 && serial.stream().allMatch(p -> !p.isBlank() && p.split("\\s+").length <= 4)) {
                return serial;
            }
            return List.of(s);
        }
        return parts.length > 1 && parts.length <= 3 ? List.of(parts) : List.of(s);
    }

    static void addOne(List<Relation> out, Grounder grounder, String head, String label, String tail,
                               String explanation) {
        String h = cleanItem(head);
        String t = cleanItem(tail);
        if (h.isEmpty() || t.isEmpty() || PRONOUN.matcher(h).matches() || PRONOUN.matcher(t).matches()
                || h.matches("(?:[a-z]+ed|held|given|begun|taken|seen|done|shown)")) { // "held for 48 hours": a verb, not an item
            return; // "he was diagnosed with X": the patient is not one end of a relation
        }
        h = bareName(grounder, h);
        t = bareName(grounder, t);
        String l = AnswerText.tidy(label).toLowerCase(Locale.ROOT);
        Matcher prevented = PROPHYLAXIS.matcher(t);
        if (prevented.matches()) {
            t = prevented.group(1); // "Enoxaparin - DVT prophylaxis": the condition is DVT, which it prevents
            l = l.isEmpty() || l.equals("related to") ? "prevents" : l;
        }
        out.add(new Relation(h, l.isEmpty() ? "related to" : l, t, AnswerText.tidy(explanation),
                groundItem(grounder, h), groundItem(grounder, t)));
    }

    private static final Pattern GENERIC_NOUN = Pattern.compile("(?i)^(\\S{3,})\\s+(?:support|therapy|treatment|use|administration|dosing)$");

    /** "Pegfilgrastim support", where the note says only "pegfilgrastim": the drug's name. */
    static String bareName(Grounder grounder, String item) {
        Matcher m = GENERIC_NOUN.matcher(item);
        // "support", "use" and "administration" never name a different thing; "therapy" can ("insulin therapy" as said)
        boolean mere = item.matches("(?i).*\\s(?:support|use|administration|dosing)$");
        if (m.matches() && (mere || grounder.locateStrict(item).isEmpty()) && !grounder.locateStrict(m.group(1)).isEmpty()) {
            return m.group(1);
        }
        return item;
    }

    /** An end of a relation; "Calcium carbonate with vitamin D", not in the note as a whole, at its part before "with". */
    static List<Span> groundItem(Grounder grounder, String item) {
        List<Span> spans = grounder.locateOrShorter(item);
        int with = RelationTask.indexOfWord(item, " with ");
        if (spans.isEmpty() && with > 0) {
            return grounder.locateStrict(item.substring(0, with));
        }
        // "90% RCA stenosis" found fuzzily at "90% stenosis": the note says the missing word after it ("of the RCA")
        List<String> words = new ArrayList<>(Grounder.tokenize(item).stream().map(Grounder.Token::norm).toList());
        for (Span sp : spans) {
            words.removeAll(Grounder.tokenize(sp.text()).stream().map(Grounder.Token::norm).toList());
        }
        if (!spans.isEmpty() && spans.get(0).match() == dev.asclepius.tasks.MatchKind.FUZZY && words.size() == 1) {
            spans = Widening.widen(grounder, Widening.widen(grounder, spans, "", "of the " + words.get(0)), "", "of " + words.get(0));
        }
        return spans;
    }

    /**
     * An item the question named: where the note says it; when the note does not say it as asked ('hip
     * fracture') but a part of it, that part widened to the answer's own wording of the item where the note
     * says that ("the displaced left intertrochanteric femur fracture").
     */
    static List<Span> groundAsked(Grounder grounder, String item, String answer) {
        List<Span> spans = grounder.locateOrShorter(item);
        // said as asked, it widens only over the answer's own modifiers after an article ("a mechanical fall")
        return Widening.widenByAnswer(grounder, spans, answer, !grounder.locateStrict(item).isEmpty());
    }
}
