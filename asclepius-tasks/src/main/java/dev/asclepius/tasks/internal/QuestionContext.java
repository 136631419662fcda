package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.EntityType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a question tells the parser about its answer: the entity type asked for, the pair of a relation
 * question, the abbreviation of a one-abbreviation question, the mention of a coreference question, the
 * sentence of a paraphrase question, the focus of a summary. Read from the question's words, so the
 * client's own questions and questions saved from other runs (Python, vLLM) give the same context.
 *
 * @param entityType the kind of entity asked for ("What medications ..."); empty when not one kind
 * @param pair       the two items of a "connection between A and B" question
 * @param target     the one abbreviation, mention or sentence the question is about
 * @param focus      the topic of a focused summary
 */
public record QuestionContext(Optional<EntityType> entityType, Optional<List<String>> pair, Optional<String> target,
                              Optional<String> focus, boolean pairQuoted) {

    public static final QuestionContext NONE = new QuestionContext(Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), false);

    public QuestionContext(Optional<EntityType> entityType, Optional<List<String>> pair, Optional<String> target,
                           Optional<String> focus) {
        this(entityType, pair, target, focus, false);
    }

    private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"|“([^”]+)”|‘([^’]+)’|(?<![A-Za-z])'(.+?)'(?![A-Za-z])");
    private static final Pattern OUTER_QUOTE = Pattern.compile("(?s)(?<![A-Za-z])([\"“'‘])(.+)[\"”'’](?![A-Za-z])");
    private static final Pattern BETWEEN = Pattern.compile("(?i)\\bbetween\\s+(?:the\\s+)?(.+?)\\s+and\\s+(?:the\\s+)?(.+?)"
            + "(?:\\s+(?:in|mentioned|according|as|within|based|for) (?:the|this|his|her)\\b.*|\\s+in\\b.*|[?.]|$)");
    private static final Pattern RELATED_TO = Pattern.compile("(?i)\\b(?:how|why) (?:is|was|are|were|does|did) (?:the\\s+)?(.+?)\\s+"
            + "(?:related|connected|linked|relevant) (?:to|with)\\s+(?:the\\s+)?(.+?)(?:\\s+in (?:the|this)\\b.*|[?.]|$)");
    private static final Pattern ABBREVIATION = Pattern.compile("(?i)\\b(?:what does|meaning of|expan\\w* (?:form )?of|"
            + "expand|stand for|full form of|definition of|abbreviation)\\s+(?:the\\s+)?(?:abbreviation\\s+|acronym\\s+|term\\s+)?"
            + "([A-Za-z0-9/.&+-]{1,12}?)(?=[\\s?,.]|$)");
    private static final Pattern MENTION = Pattern.compile("(?i)\\b(?:does|do|is|are|was)\\s+(?:the\\s+(?:pronoun|phrase|word|term)\\s+)?"
            + "(.+?)\\s+(?:refer|referring|refers)\\b");
    private static final Pattern FOCUS = Pattern.compile("(?i)\\b(?:about|regarding|on|of|concerning|related to)\\s+(?:the\\s+)?"
            + "(?:patient's\\s+)?(.+?)(?:\\s+(?:in|from|mentioned in|as described in|according to) (?:the|this)\\b.*|[?.]|$)");

    /** The context of {@code question} for {@code task}'s parser; {@link #NONE} for a blank question. */
    public static QuestionContext of(dev.asclepius.tasks.Task task, String question) {
        if (question == null || question.isBlank()) {
            return NONE;
        }
        String q = question.strip();
        List<String> quoted = quoted(q);
        switch (task) {
            case ENTITIES:
                return new QuestionContext(entityType(q), Optional.empty(), Optional.empty(), Optional.empty());
            case RELATIONS:
                return new QuestionContext(Optional.empty(), pair(q, quoted), Optional.empty(), Optional.empty(),
                        quoted.size() == 2);
            case ABBREVIATIONS:
                return new QuestionContext(Optional.empty(), Optional.empty(), abbreviation(q, quoted), Optional.empty());
            case COREFERENCES:
                return new QuestionContext(Optional.empty(), Optional.empty(), mention(q, quoted), Optional.empty());
            case PARAPHRASE:
                return new QuestionContext(Optional.empty(), Optional.empty(), sentence(q, quoted), Optional.empty());
            case SUMMARY:
                return new QuestionContext(Optional.empty(), Optional.empty(), Optional.empty(), focus(q));
            default:
                return NONE;
        }
    }

    static List<String> quoted(String q) {
        List<String> out = new ArrayList<>();
        Matcher m = QUOTED.matcher(q);
        while (m.find()) {
            for (int g = 1; g <= 4; g++) {
                if (m.group(g) != null) {
                    String t = m.group(g).strip().replaceAll("[,;:]+$", "").strip();
                    if (t.endsWith(".") && t.indexOf('.') == t.length() - 1) {
                        t = t.substring(0, t.length() - 1).strip(); // a sentence's full stop, not "b.i.d."
                    }
                    if (!t.isEmpty()) {
                        out.add(t);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The one kind of entity a question asks for. Tests are checked before conditions ("diagnostic tests"
     * is about tests), and a question naming several kinds has no single kind.
     */
    static Optional<EntityType> entityType(String q) {
        String s = q.toLowerCase(Locale.ROOT);
        List<EntityType> kinds = new ArrayList<>();
        if (s.matches("(?s).*\\b(?:medications?|medicines?|drugs?|prescri\\w*|meds|dosages?|doses|antibiotics?|anticoagula\\w*|"
                + "antihypertensives?|analgesics?|inhalers?|insulins?|statins?|steroids?|diuretics?)\\b.*")) {
            kinds.add(EntityType.MEDICATION);
        }
        if (s.matches("(?s).*\\b(?:tests?|labs?|laboratory|imaging|investigations?|studies|scans?|workup|results?)\\b.*")) {
            kinds.add(EntityType.TEST);
        }
        if (s.matches("(?s).*\\b(?:procedures?|surger(?:y|ies)|operations?|interventions?|operative)\\b.*")) {
            kinds.add(EntityType.PROCEDURE);
        }
        if (s.matches("(?s).*\\b(?:lifestyle|life style|smok\\w*|alcohol|tobacco|exercise|habits?|social history|substance)\\b.*")) {
            kinds.add(EntityType.LIFESTYLE_FACTOR);
        }
        boolean condition = s.matches("(?s).*\\b(?:conditions?|diagnos[ie]s|diseases?|problems?|comorbidit\\w*|illness\\w*|"
                + "disorders?|symptoms?|medical history|past medical history|family history)\\b.*");
        if (condition && !(kinds.contains(EntityType.TEST) && s.matches("(?s).*\\bdiagnostic\\b.*"))) {
            kinds.add(EntityType.CONDITION);
        }
        if (kinds.size() == 2 && kinds.contains(EntityType.TEST) && s.matches("(?s).*\\bresults?\\b.*")
                && !s.matches("(?s).*\\b(?:tests?|labs?|laboratory|imaging|studies|scans?)\\b.*")) {
            kinds.remove(EntityType.TEST); // "medications ... and the results": not a test question
        }
        if (kinds.size() == 2 && kinds.contains(EntityType.MEDICATION) && kinds.contains(EntityType.CONDITION)
                && s.matches("(?s).*\\b(?:for|treat\\w*)\\b.*")) {
            kinds.remove(EntityType.CONDITION); // "medications for his conditions" lists medications
        }
        return kinds.size() == 1 ? Optional.of(kinds.get(0)) : Optional.empty();
    }

    private static Optional<List<String>> pair(String q, List<String> quoted) {
        if (quoted.size() == 2) {
            return Optional.of(List.copyOf(quoted));
        }
        if (q.matches("(?is).*\\b(?:connections|relationships|relations|associations|links|all)\\b.*")) {
            return Optional.empty(); // "the connections between the medications and the conditions": every relation
        }
        Matcher b = BETWEEN.matcher(q);
        if (b.find()) {
            return Optional.of(List.of(tidy(b.group(1)), tidy(b.group(2))));
        }
        Matcher r = RELATED_TO.matcher(q);
        if (r.find()) {
            return Optional.of(List.of(tidy(r.group(1)), tidy(r.group(2))));
        }
        return Optional.empty();
    }

    private static Optional<String> abbreviation(String q, List<String> quoted) {
        if (q.matches("(?is).*\\b(?:all|every|each|the) (?:the )?(?:abbreviations|acronyms)\\b.*")
                || q.matches("(?is).*\\babbreviations\\b.*")) {
            return Optional.empty();
        }
        for (String s : quoted) {
            if (AbbreviationTask.isShortForm(s)) {
                return Optional.of(s);
            }
        }
        Matcher m = ABBREVIATION.matcher(q);
        while (m.find()) {
            String s = m.group(1);
            if (AbbreviationTask.isShortForm(s)) {
                return Optional.of(s.replaceAll("[.]$", s.matches(".*\\..*\\.$") ? "." : ""));
            }
        }
        // "What is CHF?": the one short form the question contains
        for (String w : q.split("[\\s?,;:()]+")) {
            String t = w.replaceAll("[.]$", "");
            if (t.length() >= 2 && t.chars().filter(Character::isUpperCase).count() >= 2 && AbbreviationTask.isShortForm(t)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> mention(String q, List<String> quoted) {
        if (q.matches("(?is).*\\b(?:all|every|each)\\b.*\\b(?:pronouns|phrases|coreferen\\w*|mentions|expressions)\\b.*")
                || q.matches("(?is).*\\b(?:pronouns|coreferents|coreferences)\\b.*") && quoted.isEmpty()) {
            return Optional.empty();
        }
        if (quoted.size() == 1) {
            return Optional.of(quoted.get(0));
        }
        Matcher m = MENTION.matcher(q);
        if (m.find()) {
            String t = tidy(m.group(1));
            if (!t.isEmpty() && t.split("\\s+").length <= 6) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The quoted sentence: from the first quote to the last, so an apostrophe inside it ("patient's") does not cut it. */
    private static Optional<String> sentence(String q, List<String> quoted) {
        Matcher outer = OUTER_QUOTE.matcher(q);
        if (outer.find()) {
            String t = outer.group(2).strip().replaceAll("[,;:]+$", "").strip();
            if (t.length() >= 3) {
                return Optional.of(t);
            }
        }
        String best = "";
        for (String s : quoted) {
            if (s.length() > best.length()) {
                best = s;
            }
        }
        return best.length() >= 3 ? Optional.of(best) : Optional.empty();
    }

    private static Optional<String> focus(String q) {
        if (!q.matches("(?is).*\\b(?:summar\\w*|overview|describe|outline)\\b.*")) {
            return Optional.empty();
        }
        Matcher m = FOCUS.matcher(q);
        if (m.find()) {
            String t = tidy(m.group(1));
            if (!t.isEmpty() && !t.matches("(?i)(?:this|the)?\\s*(?:discharge summary|note|report|patient|hospital course)")) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    private static String tidy(String s) {
        String t = s.strip().replaceAll("[\"“”]|(?<![A-Za-z])['‘]|['’](?![A-Za-z])", "").replaceAll("\\?$", "").strip();
        String prev;
        do {
            prev = t;
            t = t.replaceFirst("(?i)^(?:the use of|use of|the patient's|patient's|the patient|his|her|their|the)\\s+", "");
        } while (!t.equals(prev));
        return AnswerText.tidy(t);
    }
}
