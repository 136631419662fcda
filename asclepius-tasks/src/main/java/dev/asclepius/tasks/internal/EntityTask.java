package dev.asclepius.tasks.internal;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.Entity;
import dev.asclepius.tasks.EntityType;
import dev.asclepius.tasks.Grounding;
import dev.asclepius.tasks.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Named entities: one question per kind, phrased like the training seeds ("Could you extract all
 * medications prescribed and their corresponding dosages?") with a request for one item per line.
 */
public final class EntityTask implements TaskSpec<List<Entity>> {

    private static final Map<EntityType, String> QUESTIONS = new LinkedHashMap<>();

    static {
        QUESTIONS.put(EntityType.CONDITION, "Can you identify all the medical conditions and diagnoses mentioned in "
                + "the discharge summary? Please list each condition on its own line.");
        QUESTIONS.put(EntityType.MEDICATION, "Could you extract all medications prescribed and their corresponding "
                + "dosages? Please list each medication on its own line with its dosage.");
        QUESTIONS.put(EntityType.TEST, "What were the diagnostic tests and their results? Please list each test on "
                + "its own line with its result.");
        QUESTIONS.put(EntityType.PROCEDURE, "Identify all the medical procedures the patient underwent. Please list "
                + "each procedure on its own line.");
        QUESTIONS.put(EntityType.LIFESTYLE_FACTOR, "Can you recognize and list any lifestyle factors such as smoking, "
                + "alcohol consumption, or exercise habits? Please list each one on its own line.");
    }

    private static final Pattern HEADING = Pattern.compile("^([A-Za-z][A-Za-z /&,()-]{2,60}?)\\s*:\\s*(.*)$");
    private static final Pattern FIELD = Pattern.compile("(?i)^(dose|dosage|dosing|frequency|route|strength|amount|sig|"
            + "indications?|reason|purpose|used for|use|results?|findings?|values?|levels?|interpretation|outcome|status|"
            + "date|dates|timing|duration|details?|notes?|comments?|description|significance|class|type)\\s*:\\s*(.*)$");
    private static final Pattern RULED_OUT = Pattern.compile("(?i)(?:ruled out|excluded|not present|absent)(?: conditions| diagnoses)?");
    private static final Pattern NAMED_DETAIL = Pattern.compile("^[A-Za-z0-9][^:.;]{0,50}:\\s+\\S.*$");
    private static final Pattern CAUSE = Pattern.compile("(?i)\\s+(?:secondary to|due to|caused by|complicated by)\\s+");
    private static final String COLUMN_NAMES = "(?i)(?:medications?|drugs?|dos(?:e|age|ing)s?|frequency|route|tests?|results?|"
            + "findings?|values?|conditions?|diagnos[ie]s|procedures?|dates?|status|indications?|notes?|comments?|factors?|"
            + "details?|name|items?|lifestyle factors?)";
    private static final Pattern INTRO = Pattern.compile("(?i)^(?:(?:yes|no)[.,!]\\s+)?(?:(?:during|after|before|on|at|in|upon|"
            + "throughout|while|according to|based on|as per|per|from) [^,]{2,60},\\s*)?");
    private static final Pattern SUBJECT_LEAD = Pattern.compile("(?i)^(?:the patient|patient|he|she|they|mrs?\\.? \\w+)(?:\\s+also)?$");
    /** The start of a denial: what follows it is a list of things the patient does not have. */
    private static final Pattern NEGATION_LEAD = Pattern.compile("(?i)\\b(?:denie[sd]|denying|reports no|reported no|"
            + "(?:was|were) negative for|negative for|did not (?:develop|have|experience|report|use|drink|smoke|undergo|require)|"
            + "does not (?:have|use|drink|smoke)|has no|had no|without any|no (?:history of|evidence of|signs of))\\s+");
    private final List<EntityType> asked;

    /** Asks about each of {@code types} (all five kinds when empty). */
    public EntityTask(List<EntityType> types) {
        this.asked = types.isEmpty() ? List.copyOf(QUESTIONS.keySet()) : List.copyOf(types);
        if (asked.contains(EntityType.OTHER)) {
            throw new InvalidInputException("Ask for a concrete entity type, not OTHER");
        }
    }

    public static String question(EntityType type) {
        return QUESTIONS.get(type);
    }

    @Override
    public Task task() {
        return Task.ENTITIES;
    }

    @Override
    public List<String> instructions() {
        return asked.stream().map(QUESTIONS::get).toList();
    }

    @Override
    public List<Entity> parse(Grounder grounder, List<Reply> replies) {
        List<Entity> out = new ArrayList<>();
        List<String> questions = instructions();
        for (int i = 0; i < replies.size(); i++) {
            // the same path as a saved answer: the type comes from the question that was sent
            String question = replies.size() == questions.size() ? questions.get(i) : "";
            out.addAll(AnswerParsers.list(AnswerParsers.parse(Task.ENTITIES, grounder, question, replies.get(i))));
        }
        return out;
    }

    /** Parses one answer; {@code defaultType} applies until a heading ("Medications:") says otherwise. */
    public static List<Entity> parseAnswer(Grounder grounder, Reply reply, EntityType defaultType) {
        String text = AnswerText.complete(reply.text(), reply.truncated());
        List<Entity> out = new ArrayList<>();
        EntityType current = defaultType;
        for (String rawLine : AnswerText.lines(text)) {
            boolean bullet = AnswerText.isBullet(rawLine);
            String line = AnswerText.stripBullet(rawLine);
            // "- Dose: 5 mg daily" under "1. Warfarin": a field of the item above, not an item
            Matcher field = FIELD.matcher(line);
            if (field.matches() && !out.isEmpty()) {
                attachField(out, field.group(1), field.group(2));
                continue;
            }
            Matcher h = HEADING.matcher(line);
            if (h.matches() && RULED_OUT.matcher(h.group(1).strip()).matches() && !h.group(2).isBlank()) {
                // "Ruled out: hemorrhage, hemorrhagic transformation and large vessel occlusion": each one negated
                for (String item : AnswerText.splitList(h.group(2).replaceAll("[.]$", ""))) {
                    EntityItems.add(out, grounder, item, current, true);
                }
                continue;
            }
            if (RULED_OUT.matcher(line.replaceAll("[:.]$", "")).matches()) {
                continue; // "Ruled out" over a list heads a group, it is no item
            }
            if (h.matches()) {
                Optional<EntityType> headed = typeOf(h.group(1));
                // "- Illicit drugs: denies" is an item with a detail, not a heading with one item
                boolean itemWithDetail = bullet && !h.group(2).isBlank() && AnswerText.splitList(h.group(2)).size() < 2;
                if (headed.isPresent() && !itemWithDetail) {
                    current = headed.get();
                    String rest = h.group(2).strip();
                    if (!rest.isEmpty() && !AnswerText.saysNothingFound(rest)) {
                        for (String part : AnswerText.semicolonParts(rest.replaceAll("[.]$", ""))) {
                            for (String item : mergeDoseParts(AnswerText.splitList(part))) {
                                EntityItems.add(out, grounder, item, current);
                            }
                        }
                    }
                    continue;
                }
            }
            if (line.endsWith(":") || AnswerText.isTableRule(line)) {
                continue; // "Family history:" heads a group; "---|---" draws a table
            }
            if (AnswerText.isTableRow(line)) {
                // a table row "Labetalol | 300 mg PO TID"; the header row names columns, not items
                List<String> cells = new ArrayList<>(AnswerText.tableCells(line));
                cells.removeIf(String::isEmpty);
                if (cells.isEmpty() || cells.stream().allMatch(c -> c.matches(COLUMN_NAMES))) {
                    continue;
                }
                EntityItems.add(out, grounder, cells.size() > 1 ? cells.get(0) + ": " + String.join(", ", cells.subList(1, cells.size()))
                        : cells.get(0), current, false);
                continue;
            }
            if (!bullet && isTitle(line)) {
                typeOf(line).ifPresent(t -> { });
                continue; // "Discharge diagnoses" as a bold title
            }
            if (AnswerText.isNothingLine(line) || AnswerText.isPreamble(line) || AnswerText.isClosing(line)) {
                continue;
            }
            if (bullet) {
                List<String> parts = itemParts(line);
                for (String part : parts) {
                    if (!AnswerText.saysNothingFound(part) || part.split("\\s+").length <= 3) {
                        EntityItems.add(out, grounder, part, current, false);
                    }
                }
                continue;
            }
            if (NAMED_DETAIL.matcher(line).matches() && !line.matches(".*[.!?]\\s+[A-Z].*")) {
                EntityItems.add(out, grounder, line, current, false); // "Chest X-ray: negative for pulmonary edema" is one item
                continue;
            }
            for (String sentence : AnswerText.sentences(line)) {
                List<String> parts = itemParts(sentence.replaceAll("[.]$", ""));
                if (parts.size() > 1) {
                    for (String part : parts) {
                        EntityItems.add(out, grounder, part, current, false);
                    }
                    continue;
                }
                for (String clause : AnswerText.semicolonParts(sentence)) {
                    prose(out, grounder, clause, current);
                }
            }
        }
        return out;
    }

    /** One clause of prose: its lead-in removed, its list split; a denial ("denies A, B or C") negates every item. */
    private static void prose(List<Entity> out, Grounder grounder, String clause, EntityType type) {
        String c = clause.strip().replaceFirst("(?i)^(?:please note that|note that|notably,?|additionally,?|also,?|however,?)\\s+", "");
        if (c.isEmpty() || AnswerText.isClosing(c) || (AnswerText.saysNothingFound(c) && !NEGATION_LEAD.matcher(c).find())) {
            return;
        }
        c = INTRO.matcher(c).replaceFirst("");
        Matcher neg = NEGATION_LEAD.matcher(c);
        if (neg.find()) {
            String rest = c.substring(neg.end());
            String before = c.substring(0, neg.start());
            // "She denied A, B, and C, and was negative for D": every item of the denial is negated
            for (String item : AnswerText.splitList(rest)) {
                String it = item.replaceFirst("(?i)^(?:and\\s+)?(?:was |were )?(?:negative for|reports no|denies|denied|no)\\s+", "");
                for (String one : it.split("(?i)\\s+(?:or|nor|and)\\s+")) { // "denies tobacco and drug use": two
                    EntityItems.add(out, grounder, one, type, true);
                }
            }
            if (before.split("\\s+").length > 3 && !SUBJECT_LEAD.matcher(before.strip()).matches()) {
                prose(out, grounder, before.replaceAll("(?i)[,\\s]+(?:and|but)?\\s*$", ""), type);
            }
            return;
        }
        c = c.replaceFirst("(?i)^(?:the )?(?:discharge summary|summary|note|report)\\s+(?:also\\s+)?(?:documents|lists|mentions|notes|"
                + "describes|includes|shows|reports|records)\\s+", "");
        String body = AnswerText.stripLeadIn(c);
        List<String> items = body.contains(",") || body.toLowerCase(Locale.ROOT).contains(" and ")
                ? mergeDoseParts(AnswerText.splitList(body)) : List.of(body);
        for (String item : items) {
            if (type == EntityType.CONDITION && CAUSE.matcher(item).find()) {
                // "respiratory failure secondary to a COPD exacerbation": two conditions
                for (String part : CAUSE.split(item, 2)) {
                    EntityItems.add(out, grounder, part, type, false);
                }
                continue;
            }
            EntityItems.add(out, grounder, item, type, false);
        }
    }

    /** A short bold title of a group ("Discharge diagnoses", "Past medical history"), not an item. */
    private static boolean isTitle(String line) {
        String l = line.strip();
        return l.split("\\s+").length <= 4 && !l.matches(".*[\\d.,;:()].*")
                && l.toLowerCase(Locale.ROOT).matches(".*\\b(?:diagnos[ie]s|history|medications?|tests?|procedures?|conditions?|"
                + "results?|labs?|imaging|problems?|lifestyle|factors?|habits?|findings?|studies)$");
    }

    /**
     * The items of an inline list written with semicolons ("Warfarin - 5 mg daily; Metoprolol - 25 mg BID"),
     * when every part is shaped like an item (a short name before any detail); else the line whole.
     */
    private static List<String> itemParts(String line) {
        List<String> parts = AnswerText.semicolonParts(line);
        if (parts.size() < 2) {
            return List.of(line);
        }
        for (String p : parts) {
            String[] split = p.split("\\s[-–—]\\s|:\\s|\\s\\(", 2);
            if (split.length < 2 || split[0].split("\\s+").length > 6) {
                return List.of(line); // "former smoker; quit in 2012": one item with its detail
            }
        }
        return parts;
    }

    private static void attachField(List<Entity> out, String key, String value) {
        String v = AnswerText.tidy(value);
        if (v.isEmpty() || EntityItems.NOT_GIVEN.matcher(v).matches() || AnswerText.saysNothingFound(v)) {
            return;
        }
        Entity last = out.get(out.size() - 1);
        String k = key.toLowerCase(Locale.ROOT);
        if (k.matches("dos\\w*|frequency|route|strength|amount|sig")) {
            if (last.type() == EntityType.TEST) {
                return;
            }
            String dose = last.dosage().map(d -> d + ", " + v).orElse(v);
            out.set(out.size() - 1, new Entity(last.text(), last.type(), Optional.of(dose), last.result(), last.status(), last.spans()));
        } else if (k.matches("results?|findings?|values?|levels?|interpretation|outcome")) {
            out.set(out.size() - 1, new Entity(last.text(), last.type(), last.dosage(), Optional.of(v), last.status(), last.spans()));
        }
        // indication, reason, date, notes: context for the item, not the entity itself
    }

    /** "metformin 500 mg, twice daily": a part that is only a dose belongs to the item before it. */
    private static List<String> mergeDoseParts(List<String> parts) {
        List<String> out = new ArrayList<>();
        for (String p : parts) {
            if (!out.isEmpty() && p.matches("(?i)^(?:\\d|once|twice|three times|daily|bid|tid|qid|prn|as needed|with meals).*")) {
                out.set(out.size() - 1, out.get(out.size() - 1) + ", " + p);
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private static Optional<EntityType> typeOf(String heading) {
        String h = heading.toLowerCase(Locale.ROOT);
        if (h.split("\\s+").length > 5) {
            return Optional.empty();
        }
        if (h.matches(".*\\b(?:tests?|labs?|laborator\\w*|imaging|investigations?|results?|diagnostics?|diagnostic tests?|studies)\\b.*")) {
            return Optional.of(EntityType.TEST);
        }
        if (h.matches(".*\\b(?:medications?|medicines?|drugs?|prescriptions?|meds)\\b.*")) {
            return Optional.of(EntityType.MEDICATION);
        }
        if (h.matches(".*\\b(?:procedures?|surger(?:y|ies)|operations?|interventions?)\\b.*")) {
            return Optional.of(EntityType.PROCEDURE);
        }
        if (h.matches(".*\\b(?:lifestyle|life style|social|habits?)\\b.*")) {
            return Optional.of(EntityType.LIFESTYLE_FACTOR);
        }
        if (h.matches(".*\\b(?:conditions?|diagnos[ie]s|problems?|diseases?|illness(?:es)?|comorbidities)\\b.*")) {
            return Optional.of(EntityType.CONDITION);
        }
        return Optional.empty();
    }

    @Override
    public Grounding grounding(List<Entity> value) {
        return Grounding.of(value.stream().map(Entity::spans).toList());
    }
}
