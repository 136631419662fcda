package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.Entity;
import dev.asclepius.tasks.EntityStatus;
import dev.asclepius.tasks.EntityType;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entity item of an answer ("Metformin 500 mg PO BID", "She denies alcohol use", "Chest X-ray: negative for
 * pulmonary edema"): its name, dosage or result, status, and where the note says it. Split from
 * {@link EntityTask}, which reads the answer's shape (headings, lists, prose) and hands each item here.
 */
final class EntityItems {
    private EntityItems() {
    }

    static final Pattern DOSE = Pattern.compile("(?i)(?:\\bat (?:a )?(?:dose|dosage) of\\s+|,?\\s*(?:dose|dosage)\\s*(?:of|:)?\\s+)?"
            + "(?<![A-Za-z])(\\d+(?:[.,]\\d+)?(?:\\s*-\\s*\\d+(?:\\.\\d+)?)?\\s*(?:mg|mcg|µg|g|kg|units?|u|ml|mL|l|%|meq|mEq|iu|IU|tabs?|tablets?|puffs?|drops?)\\b.*"
            + "|(?:once|twice|three times|daily|bid|tid|qid|qd|qhs|prn|as needed|nightly)\\b.*)$");

    static final Pattern TEST_RESULT = Pattern.compile("(?i)^(.+?)\\s+(?:showed|shows|revealed|reveals|"
            + "demonstrated|demonstrates|indicated|indicates|confirmed|was|were|is|are|with (?:a )?results? of|"
            + "came back)\\s+(.+)$");

    static final Pattern NEGATED = Pattern.compile("(?i)^(?:denies|denied|no|negative for|never|non-?smoker)\\b|"
            + "\\b(?:denies|denied|negative|none|never|non-?smoker|does not|doesn't|did not)\\b");

    static final Pattern HISTORICAL = Pattern.compile("(?i)\\b(?:history of|former|formerly|quit|previous|"
            + "previously|past|prior|remote)\\b");

    static final Pattern NOT_GIVEN = Pattern.compile("(?i)^(?:\\(?\\s*)?(?:dosage|dose|result|results)?\\s*"
            + "(?:not (?:specified|mentioned|provided|stated|given|available|documented)|unknown|n/a|unspecified)\\)?$");

    static final Pattern SUBJECT_VERB = Pattern.compile("(?i)^(?:(?:the )?patient|she|he|they|mrs?\\.? \\w+|ms\\.? \\w+|"
            + "(?:his|her|the patient's) (?:mother|father|sister|brother|son|daughter|grandmother|grandfather|parents?))\\s+"
            + "(?:(?:also|currently|previously|reportedly|still|no longer)\\s+)?(?:denies|denied|reports?|reported|quit|stopped|"
            + "endorses|endorsed|admits to|has|had|is|was|takes|took|underwent|received|developed|presented with|complained of)\\s+");

    /** A subject before a habit verb: "She drinks alcohol rarely" keeps the habit as the answer wrote it. */
    static final Pattern SUBJECT_ONLY = Pattern.compile("(?i)^(?:(?:the )?patient|she|he|they)\\s+"
            + "(?:(?:also|still|currently)\\s+)?(?=(?:drinks|drank|smokes|smoked|uses|used|consumes|consumed|exercises|walks|follows|eats)\\b)");

    static final Pattern LIFESTYLE_VERB = Pattern.compile("(?i)^(?:quit|stopped|gave up)\\s+");

    static final Pattern LIFESTYLE_TAIL = Pattern.compile("(?i)\\s+(?:(?:about |approximately |over )?\\d+ (?:years?|months?) ago|"
            + "(?:for|since) (?:the (?:past|last) )?\\d+ .*)$");

    static final Pattern TEST_STATE = Pattern.compile("(?i)^(.+?)\\s+((?:was |were |is |are )?(?:negative|positive|normal|"
            + "abnormal|unremarkable|elevated|low|high|decreased|increased|within normal limits|peaked|rose|fell|dropped|"
            + "improved|normalized|remained|trended)\\b.*)$");

    static final Pattern FAMILY_TAIL = Pattern.compile("(?i)\\s+in (?:his|her|the patient's|their) (?:father|mother|"
            + "brother|sister|sibling|parent|grandfather|grandmother|son|daughter|family)s?$");

    static final Pattern NEGATED_DETAIL = Pattern.compile("(?i)^(?:denied|denies|ruled out|negative|absent|not present|"
            + "none|excluded|not seen)\\b.*");

    static final Pattern NOT_DONE = Pattern.compile("(?i)\\s+(?:(?:was|were) not (?:performed|done|given|obtained|"
            + "required|needed|started|prescribed|administered|completed|seen|found|present|identified)|(?:was|were) (?:ruled out|excluded|"
            + "absent))\\b.*$");

    static final Pattern NOTHING_DETAIL = Pattern.compile("(?i)^(?:not (?:mentioned|documented|stated|reported|specified|"
            + "provided|discussed|described|addressed)|none(?: (?:mentioned|documented|reported))?|no information|unknown|n/a)\\b.*");

    /** Pieces of prose that are not entities: "which is part of ...", "has done so for 3 years", "for 30 years". */
    static final Pattern NOT_AN_ITEM = Pattern.compile("(?i)^(?:which|who|that|with|without|likely|possibly|probably|"
            + "has|have|had|did|does|done|so|for|since|in|on|at|to|from|by|during|after|before|as|per|while|when|then|but|"
            + "evaluated|discharge summary)\\b");

    static final Pattern PASSIVE_TAIL = Pattern.compile("(?i)\\s+(?:was|were|is|are|will be|(?:has|have) been)\\s+(?:also\\s+)?(?:given|started|"
            + "administered|prescribed|used|performed|done|continued|held|initiated|noted|found|diagnosed|obtained)$");

    static final Pattern CONTEXT_TAIL = Pattern.compile("(?i)\\s+(?:per(?! (?:day|week|month|year|night|hour|dose)\\b)|via|while|during|on(?! chronic)|in|at|for|since|from|after|"
            + "before|with|without|which|that|due to|because|secondary to|likely|possibly|under|starting|beginning|started|"
            + "initiated|as the|as a)\\s.*$|,\\s*(?:likely|possibly|probably|"
            + "which|severe|mild|moderate|resolved)\\b.*$");

    /** A term, then an abbreviation the answer defines for it (two capitals at least), then more words. */
    static final Pattern MID_GLOSS = Pattern.compile("^(.{3,}?)\\s+\\(([A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*)\\)[,;]?\\s+\\S.*$");

    static final Pattern ROUTE_PREFIX = Pattern.compile("^(?:IV|PO|SC|SQ|IM|intravenous|oral|subcutaneous|inhaled)\\s+(?=\\S{3,})");

    static final Pattern FORM_SUFFIX = Pattern.compile("(?i)(?<=\\S{3,})\\s+(?:infusion|drip)$");

    static final Pattern TRAILING_PAREN = Pattern.compile("^(.+?)\\s*\\(([^()]+)\\)$");

    static final Pattern SPACED_DASH = Pattern.compile("\\s[-–—]\\s");

    static void add(List<Entity> out, Grounder grounder, String rawItem, EntityType type) {
        add(out, grounder, rawItem, type, false);
    }

    static void add(List<Entity> out, Grounder grounder, String rawItem, EntityType type, boolean negated) {
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
    static String cleanName(String raw, EntityType type) {
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
            name = name.replaceFirst("(?i)^(?:his|her|their|the patient's)\\s+(?=\\S{3,})", ""); // "her platelets" are the platelets
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
    static List<dev.asclepius.tasks.Span> ground(Grounder grounder, String name, EntityType type, String spoken,
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
    static int indexOfDash(String s) {
        Matcher m = SPACED_DASH.matcher(s);
        while (m.find()) {
            String before = s.substring(0, m.start());
            if (before.chars().filter(c -> c == '(').count() == before.chars().filter(c -> c == ')').count()) {
                return m.start() + 1; // not the dash of "(family history - mother)"
            }
        }
        return -1;
    }
}
