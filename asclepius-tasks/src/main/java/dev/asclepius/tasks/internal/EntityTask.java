package dev.asclepius.tasks.internal;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.Entity;
import dev.asclepius.tasks.EntityStatus;
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
    private static final Pattern DOSE = Pattern.compile("(?i)(?:\\bat (?:a )?(?:dose|dosage) of\\s+|,?\\s*(?:dose|dosage)\\s*(?:of|:)?\\s+)?"
            + "(?<![A-Za-z])(\\d+(?:[.,]\\d+)?(?:\\s*-\\s*\\d+(?:\\.\\d+)?)?\\s*(?:mg|mcg|µg|g|kg|units?|u|ml|mL|l|%|meq|mEq|iu|IU|tabs?|tablets?|puffs?|drops?)\\b.*"
            + "|(?:once|twice|three times|daily|bid|tid|qid|qd|qhs|prn|as needed|nightly)\\b.*)$");
    private static final Pattern TEST_RESULT = Pattern.compile("(?i)^(.+?)\\s+(?:showed|shows|revealed|reveals|"
            + "demonstrated|demonstrates|indicated|indicates|confirmed|was|were|is|are|with (?:a )?results? of|"
            + "came back)\\s+(.+)$");
    private static final Pattern NEGATED = Pattern.compile("(?i)^(?:denies|denied|no|negative for|never|non-?smoker)\\b|"
            + "\\b(?:denies|denied|negative|none|never|non-?smoker|does not|doesn't|did not)\\b");
    private static final Pattern HISTORICAL = Pattern.compile("(?i)\\b(?:history of|former|formerly|quit|previous|"
            + "previously|past|prior|remote)\\b");
    private static final Pattern NOT_GIVEN = Pattern.compile("(?i)^(?:\\(?\\s*)?(?:dosage|dose|result|results)?\\s*"
            + "(?:not (?:specified|mentioned|provided|stated|given|available|documented)|unknown|n/a|unspecified)\\)?$");

    private static final Pattern FIELD = Pattern.compile("(?i)^(dose|dosage|dosing|frequency|route|strength|amount|sig|"
            + "indications?|reason|purpose|used for|use|results?|findings?|values?|levels?|interpretation|outcome|status|"
            + "date|dates|timing|duration|details?|notes?|comments?|description|significance|class|type)\\s*:\\s*(.*)$");
    private static final Pattern SUBJECT_VERB = Pattern.compile("(?i)^(?:(?:the )?patient|she|he|they|mrs?\\.? \\w+|ms\\.? \\w+|"
            + "(?:his|her|the patient's) (?:mother|father|sister|brother|son|daughter|grandmother|grandfather|parents?))\\s+"
            + "(?:(?:also|currently|previously|reportedly|still|no longer)\\s+)?(?:denies|denied|reports?|reported|quit|stopped|"
            + "endorses|endorsed|admits to|has|had|is|was|takes|took|underwent|received|developed|presented with|complained of)\\s+");
    /** A subject before a habit verb: "She drinks alcohol rarely" keeps the habit as the answer wrote it. */
    private static final Pattern SUBJECT_ONLY = Pattern.compile("(?i)^(?:(?:the )?patient|she|he|they)\\s+"
            + "(?:(?:also|still|currently)\\s+)?(?=(?:drinks|drank|smokes|smoked|uses|used|consumes|consumed|exercises|walks|follows|eats)\\b)");
    private static final Pattern LIFESTYLE_VERB = Pattern.compile("(?i)^(?:quit|stopped|gave up)\\s+");
    private static final Pattern LIFESTYLE_TAIL = Pattern.compile("(?i)\\s+(?:(?:about |approximately |over )?\\d+ (?:years?|months?) ago|"
            + "(?:for|since) (?:the (?:past|last) )?\\d+ .*)$");
    private static final Pattern TEST_STATE = Pattern.compile("(?i)^(.+?)\\s+((?:was |were |is |are )?(?:negative|positive|normal|"
            + "abnormal|unremarkable|elevated|low|high|decreased|increased|within normal limits|peaked|rose|fell|dropped|"
            + "improved|normalized|remained|trended)\\b.*)$");
    private static final Pattern FAMILY_TAIL = Pattern.compile("(?i)\\s+in (?:his|her|the patient's|their) (?:father|mother|"
            + "brother|sister|sibling|parent|grandfather|grandmother|son|daughter|family)s?$");
    private static final Pattern NAMED_DETAIL = Pattern.compile("^[A-Za-z0-9][^:.;]{0,50}:\\s+\\S.*$");
    private static final Pattern NEGATED_DETAIL = Pattern.compile("(?i)^(?:denied|denies|ruled out|negative|absent|not present|"
            + "none|excluded|not seen)\\b.*");
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
    private static final Pattern NOT_DONE = Pattern.compile("(?i)\\s+(?:(?:was|were) not (?:performed|done|given|obtained|"
            + "required|needed|started|prescribed|administered|completed|seen|found|present|identified)|(?:was|were) (?:ruled out|excluded|"
            + "absent))\\b.*$");
    private static final Pattern NOTHING_DETAIL = Pattern.compile("(?i)^(?:not (?:mentioned|documented|stated|reported|specified|"
            + "provided|discussed|described|addressed)|none(?: (?:mentioned|documented|reported))?|no information|unknown|n/a)\\b.*");
    /** Pieces of prose that are not entities: "which is part of ...", "has done so for 3 years", "for 30 years". */
    private static final Pattern NOT_AN_ITEM = Pattern.compile("(?i)^(?:which|who|that|with|without|likely|possibly|probably|"
            + "has|have|had|did|does|done|so|for|since|in|on|at|to|from|by|during|after|before|as|per|while|when|then|but|"
            + "evaluated|discharge summary)\\b");
    private static final Pattern PASSIVE_TAIL = Pattern.compile("(?i)\\s+(?:was|were|is|are)\\s+(?:also\\s+)?(?:given|started|"
            + "administered|prescribed|used|performed|done|continued|held|initiated|noted|found|diagnosed|obtained)$");
    private static final Pattern CONTEXT_TAIL = Pattern.compile("(?i)\\s+(?:per(?! (?:day|week|month|year|night|hour|dose)\\b)|via|while|during|on(?! chronic)|in|at|for|since|from|after|"
            + "before|with|without|which|that|due to|because|secondary to|likely|possibly|under|starting|beginning|started|"
            + "initiated|as the|as a)\\s.*$|,\\s*(?:likely|possibly|probably|"
            + "which|severe|mild|moderate|resolved)\\b.*$");
    /** A term, then an abbreviation the answer defines for it (two capitals at least), then more words. */
    private static final Pattern MID_GLOSS = Pattern.compile("^(.{3,}?)\\s+\\(([A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*)\\)[,;]?\\s+\\S.*$");
    private static final Pattern ROUTE_PREFIX = Pattern.compile("^(?:IV|PO|SC|SQ|IM|intravenous|oral|subcutaneous|inhaled)\\s+(?=\\S{3,})");
    private static final Pattern FORM_SUFFIX = Pattern.compile("(?i)(?<=\\S{3,})\\s+(?:infusion|drip)$");
    private static final Pattern TRAILING_PAREN = Pattern.compile("^(.+?)\\s*\\(([^()]+)\\)$");
    private static final Pattern SPACED_DASH = Pattern.compile("\\s[-–—]\\s");

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
                                add(out, grounder, item, current);
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
                add(out, grounder, cells.size() > 1 ? cells.get(0) + ": " + String.join(", ", cells.subList(1, cells.size()))
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
                        add(out, grounder, part, current, false);
                    }
                }
                continue;
            }
            if (NAMED_DETAIL.matcher(line).matches() && !line.matches(".*[.!?]\\s+[A-Z].*")) {
                add(out, grounder, line, current, false); // "Chest X-ray: negative for pulmonary edema" is one item
                continue;
            }
            for (String sentence : AnswerText.sentences(line)) {
                List<String> parts = itemParts(sentence.replaceAll("[.]$", ""));
                if (parts.size() > 1) {
                    for (String part : parts) {
                        add(out, grounder, part, current, false);
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
                    add(out, grounder, one, type, true);
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
                    add(out, grounder, part, type, false);
                }
                continue;
            }
            add(out, grounder, item, type, false);
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
        if (v.isEmpty() || NOT_GIVEN.matcher(v).matches() || AnswerText.saysNothingFound(v)) {
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

    private static void add(List<Entity> out, Grounder grounder, String rawItem, EntityType type) {
        add(out, grounder, rawItem, type, false);
    }

    private static void add(List<Entity> out, Grounder grounder, String rawItem, EntityType type, boolean negated) {
        String item = AnswerText.stripArticle(AnswerText.tidy(rawItem));
        if (item.isEmpty() || (AnswerText.saysNothingFound(item) && !negated && !NOT_DONE.matcher(item).find())
                || NOT_AN_ITEM.matcher(item).find()) {
            return;
        }
        String name = item;
        String detail = "";
        int dash = indexOfDash(item);
        Matcher paren = TRAILING_PAREN.matcher(item);
        int colon = item.indexOf(": ");
        if (colon > 0) {
            name = item.substring(0, colon);
            detail = item.substring(colon + 2);
        } else if (dash > 0) {
            name = item.substring(0, dash).strip();
            detail = item.substring(item.indexOf(' ', dash + 1) + 1);
        } else if (paren.matches()) {
            name = paren.group(1);
            detail = paren.group(2);
        } else if (type == EntityType.MEDICATION) {
            Matcher dose = DOSE.matcher(item);
            if (dose.find() && dose.start() > 0) {
                name = item.substring(0, dose.start());
                detail = dose.group(1);
            }
        } else if (type == EntityType.TEST) {
            Matcher r = TEST_RESULT.matcher(item);
            Matcher state = TEST_STATE.matcher(item);
            if (r.matches()) {
                name = r.group(1);
                detail = r.group(2);
            } else if (state.matches()) {
                name = state.group(1);
                detail = state.group(2);
            }
        }
        name = AnswerText.tidy(name.replaceAll("[,\\s]+$", ""));
        detail = AnswerText.tidy(detail);
        String spoken = name; // the answer's words for the item, qualifiers included
        if (NOTHING_DETAIL.matcher(detail).matches() && type != EntityType.MEDICATION && type != EntityType.TEST) {
            return; // "Diet: not mentioned" says there is no such item
        }
        if (!negated && NEGATED_DETAIL.matcher(detail).matches()) {
            // "Cough, dysuria and diarrhea - denied": each named item, negated
            for (String one : AnswerText.splitList(name)) {
                add(out, grounder, one, type, true);
            }
            return;
        }
        Optional<EntityStatus> status = Optional.empty();
        if (negated || NOT_DONE.matcher(item).find()) {
            status = Optional.of(EntityStatus.NEGATED);
        } else if (NEGATED.matcher(item).find() && type != EntityType.TEST) {
            status = Optional.of(EntityStatus.NEGATED);
        } else if (HISTORICAL.matcher(item).find()) {
            status = Optional.of(EntityStatus.HISTORICAL);
        }
        // "IV alteplase (tPA)": the name without its gloss; the gloss is an alias to ground by
        String alias = "";
        Matcher gloss = TRAILING_PAREN.matcher(name);
        if (gloss.matches()) {
            name = gloss.group(1);
            alias = gloss.group(2);
        }
        // "Diffuse large B-cell lymphoma (DLBCL), stage III", "ORIF ... (ORIF) of the left femur": an
        // abbreviation the answer defines ends the term; what follows qualifies it
        Matcher defined = MID_GLOSS.matcher(name);
        if (type != EntityType.MEDICATION && type != EntityType.TEST && defined.matches()) {
            name = defined.group(1);
            alias = defined.group(2);
        }
        name = cleanName(name, type);
        if (type == EntityType.MEDICATION) {
            // "IV alteplase", "IV regular insulin infusion": the drug is the entity, the route and form are not
            String drug = ROUTE_PREFIX.matcher(name).replaceFirst("");
            drug = FORM_SUFFIX.matcher(drug).replaceFirst("");
            if (!drug.isBlank()) {
                name = drug.strip();
            }
        }
        if (name.isEmpty() || NOT_AN_ITEM.matcher(name).find()) {
            return;
        }
        Optional<String> value = detail.isEmpty() || NOT_GIVEN.matcher(detail).matches() ? Optional.empty() : Optional.of(detail);
        Optional<String> dosage = type == EntityType.MEDICATION ? value : Optional.empty();
        Optional<String> result = type == EntityType.TEST ? value : Optional.empty();
        out.add(new Entity(name, type, dosage, result, status, ground(grounder, name, type, spoken, alias, detail)));
    }

    /** The entity alone: no subject and verb ("She denies"), no "history of", no frequency of a habit. */
    private static String cleanName(String raw, EntityType type) {
        String name = raw.strip();
        String prev;
        do {
            prev = name;
            name = SUBJECT_ONLY.matcher(name).replaceFirst("");
            name = SUBJECT_VERB.matcher(name).replaceFirst("");
            name = name.replaceFirst("(?i)^(?:note that|also|and|there (?:is|was|are|were)|significant for|notable for)\\s+", "");
            // a sub-bullet "Triggered by viral URI" names the cause: the entity is the cause
            name = name.replaceFirst("(?i)^(?:triggered|caused|precipitated|provoked|induced) by\\s+|^(?:due|secondary) to\\s+", "");
            name = name.replaceFirst("(?i)^(?:(?:a|an|the)\\s+)?(?:(?:known|remote|prior|past|previous)\\s+)?(?:(?:past|family)\\s+)?"
                    + "(?:(?:medical|surgical|social)\\s+)?history (?:of|significant for|notable for)\\s+", "");
            name = name.replaceFirst("(?i)^(?:denies|denied|negative for|no|not|without)\\s+(?:any\\s+)?", "");
            name = AnswerText.stripArticle(name);
            if (type == EntityType.LIFESTYLE_FACTOR) {
                name = LIFESTYLE_VERB.matcher(name).replaceFirst("");
                name = LIFESTYLE_TAIL.matcher(name).replaceFirst("");
            }
            name = FAMILY_TAIL.matcher(name).replaceFirst("");
            name = NOT_DONE.matcher(name).replaceFirst("");
            name = name.replaceFirst("(?i)^.*?\\b(?:was |were )?negative for\\s+", "");
            name = name.replaceFirst("(?i)^(?:did not|does not|didn't|doesn't|never|no longer)\\s+(?:\\w+)\\s+", "");
            name = name.replaceFirst("(?i)^(?:his|her|the patient's|their)\\s+(?:home\\s+)?(?:medications?|meds)\\s+", "");
            name = PASSIVE_TAIL.matcher(name).replaceFirst("");
            name = CONTEXT_TAIL.matcher(name).replaceFirst("");
            name = AnswerText.tidy(name);
        } while (!name.equals(prev));
        return name;
    }

    /**
     * Where the note says the item: its name; when the note words it otherwise, the alias the answer gave
     * ("Hypertension (HTN)"), else the words the answer gave as its detail ("Smoking: former smoker").
     */
    private static List<dev.asclepius.tasks.Span> ground(Grounder grounder, String name, EntityType type, String spoken,
                                                         String alias, String detail) {
        List<dev.asclepius.tasks.Span> spans = grounder.locate(name);
        int at = spoken.toLowerCase(Locale.ROOT).indexOf(name.toLowerCase(Locale.ROOT));
        if (at >= 0 && type != EntityType.MEDICATION) {
            // "preeclampsia" of "preeclampsia with severe features": the note's wording with the qualifier (not a
            // drug's form: "regular insulin" of "regular insulin infusion" is the drug)
            spans = Widening.widen(grounder, spans, "", spoken.substring(at + name.length()));
        }
        if (spans.isEmpty() && !alias.isBlank() && !alias.matches(".*\\d.*")) {
            spans = grounder.locateStrict(alias);
        }
        if (spans.isEmpty() && !detail.isBlank()) {
            String lead = detail.split(",\\s|;\\s|\\s\\(|\\s+with\\s", 2)[0].strip();
            // "Exercise: sedentary": one word of the detail grounds only when it is a long, naming word
            if (lead.split("\\s+").length >= 2 || lead.matches("[A-Za-z]{6,}")) {
                spans = grounder.locateStrict(lead);
            }
        }
        return spans;
    }

    /** Position of a " - " separator (not a hyphen inside a word like "X-ray"). */
    private static int indexOfDash(String s) {
        Matcher m = SPACED_DASH.matcher(s);
        while (m.find()) {
            String before = s.substring(0, m.start());
            if (before.chars().filter(c -> c == '(').count() == before.chars().filter(c -> c == ')').count()) {
                return m.start() + 1; // not the dash of "(family history - mother)"
            }
        }
        return -1;
    }

    @Override
    public Grounding grounding(List<Entity> value) {
        return Grounding.of(value.stream().map(Entity::spans).toList());
    }
}
