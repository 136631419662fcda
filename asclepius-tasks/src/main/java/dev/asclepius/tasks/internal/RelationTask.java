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
    static final Pattern CUE = Pattern.compile("(?i)\\b(?:(?:was|were|is|are|has been|had been|being)\\s+)?("
            + "(?:prescribed|given|administered|started|used|performed|initiated|continued|recommended|ordered|offered|placed)"
            + " (?:to (?:treat|manage|control|prevent|reduce|relieve|address)|for)|"
            + "(?:held|discontinued|stopped|reduced|adjusted|increased|decreased|given|started|prescribed|continued|used|"
            + "administered|performed|done)(?: because of| due to| in the setting of)|"
            + "(?:held|discontinued|stopped|reduced|adjusted|increased|decreased) for|"
            + "prescribed for|started for|given for|administered for|used for|indicated for|to (?:treat|manage|control|prevent|reduce)|"
            + "treats|treated with|treated|managed with|managed by|manages|controls|controlled with|prevents|"
            + "caused by|causes|caused|led to|leads to|resulted in|results in|due to|secondary to|attributed to|because of|"
            + "triggered by|triggered|triggers|"
            + "associated with|related to|linked to|complicated by|complication of|a complication of|"
            + "side effect of|a side effect of|contraindicated in|worsened|worsens|improved with|improved|improves|resolved with|"
            + "diagnosed (?:by|with|via)|diagnosed|confirmed|revealed|showed|shows|show|demonstrated|identified|detected|positive for|"
            + "ruled out|rules out|excluded|(?:treatment|management|prophylaxis|therapy) (?:of|for)|"
            + "control|treat|prevent|reduce|relieve|manage|given|"
            + "consistent with|indicates|indicated|"
            + "monitored with|monitored by|performed for)\\b");
    private static final Pattern TRAILING_PAREN = Pattern.compile("^(.+?)\\s*\\(([^()]+)\\)\\.?$");
    /** "for", "as", "in": relation words too common for prose, but telling right after "Item -" or "Item:". */
    private static final Pattern WEAK_CUE = Pattern.compile("(?i)\\b(for|against|of)\\b\\s+");
    private static final String HEAD_KEYS = "medications?|drugs?|treatments?|therapy|procedures?|tests?|interventions?|items?|"
            + "exposures?|risk factors?|findings?";
    static final Pattern KEY_VALUE = Pattern.compile("(?i)^(medications?|drugs?|treatments?|therapy|procedures?|tests?|"
            + "interventions?|items?|exposures?|risk factors?|findings?|indications?|reasons?|purpose|conditions?|diagnos[ie]s|"
            + "problems?|used for|treats|related conditions?|associated conditions?|relation(?:ship)?|connection|result)\\s*:\\s*(.+)$");
    private static final Pattern NAMED_PAIR = Pattern.compile("^\\**([^:;,.()]{2,60})\\s+and\\s+([^:;,.()\\s][^:;,.()]{0,50}?)\\**$");
    private static final Pattern TOGETHER = Pattern.compile("(?i)^(?:together with|along with|in addition to|combined with)\\s+"
            + "([^,]{3,60}),\\s*(.+)$");
    private static final Pattern SHORT_COLON = Pattern.compile("^([^:,;]{2,40}):\\s+([^:,;]{2,40}?)[.]?$");
    /** The answer denies the pair any relation ("does not describe any connection", "no connection between the two"); "no direct link" is not a denial. */
    private static final Pattern NO_CONNECTION = Pattern.compile("(?i)\\b(?:not\\s+(?:\\w+\\s+){0,2}any|no)\\s+"
            + "(?:connection|relationship|relation|link|association)\\b");
    static final Pattern COLON_ITEM = Pattern.compile("^([^:]{2,80}?):\\s+(.+)$");
    private static final Pattern PARTS = Pattern.compile("\\s+(?:[-–—]|->|→|=>|\\|)\\s+");
    private static final Pattern TAIL_END = Pattern.compile("(?i),\\s|;\\s|\\.\\s|:\\s|\\s+(?:as|which|because|since|"
            + "given that|that|in order to|and was|and is|and it|and then|while|until|from|"
            + "after (?:the )?(?:surgery|procedure|operation|admission|discharge|delivery))\\b|\\s+by\\s(?=\\w+ing\\b)|\\s+\\("
            // "Wernicke encephalopathy in alcohol use disorder": after a two-word name (no article: "the drop in"), "in" and two words or more
            // are the setting ("drop in hemoglobin" stays whole)
            + "|(?<=[A-Za-z]{4,40}\\s[A-Za-z]{3,40})\\s+in\\s+(?=\\w+\\s+\\w)");

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
        String pendingHead = null;
        RelationTableColumns table = null;
        String pairMarker = null;
        List<String> lines = AnswerText.lines(text);
        List<Integer> indents = RelationGroups.indents(text);
        String group = null;
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            String line = AnswerText.stripBullet(raw);
            if (indents.get(i) == 0) {
                group = null;
            } else if (group != null && AnswerText.isBullet(raw) && RelationGroups.groupItem(out, grounder, group, line)) {
                continue; // "- Febrile neutropenia" / "  - Cefepime: empiric IV antibiotic": a relation to the group's item
            }
            String marker = AnswerText.isBullet(raw) ? (raw.matches("^\\(?\\d.*") ? "1" : raw.substring(0, 1)) : "";
            if (pairMarker != null && !marker.isEmpty() && !marker.equals(pairMarker)) {
                continue; // "1. Ceftriaxone and pyelonephritis" / "   - IV ceftriaxone was started ...": its explanation
            }
            Matcher named = NAMED_PAIR.matcher(line);
            pairMarker = !marker.isEmpty() && named.matches() && !CUE.matcher(line).find() ? marker : null;
            if (pairMarker != null) {
                // a list item that only names the two items ("Renal ultrasound and hydronephrosis"): the last "and" joins them
                RelationItems.add(out, grounder, named.group(1), "related to", named.group(2), "");
                continue;
            }
            if (AnswerText.isBullet(raw) && indents.get(i) == 0 && i + 1 < lines.size() && indents.get(i + 1) > 0
                    && AnswerText.isBullet(lines.get(i + 1)) && RelationGroups.isGroupItem(line)) {
                group = line; // a short item over indented sub-bullets heads a group of relations to it
                pendingHead = line;
                continue;
            }
            if (line.length() > 2 && line.startsWith("|") && line.endsWith("|")) {
                // a markdown table "| Item | Condition | Relation |": the first row names the columns
                List<String> cells = RelationTableColumns.cells(line);
                if (AnswerText.isTableRule(line)) {
                    continue; // the "|---|---|" rule under the header
                }
                if (table == null) {
                    table = RelationTableColumns.fromHeader(cells);
                } else {
                    table.row(cells).ifPresent(r -> RelationItems.add(out, grounder, r[0], r[1], r[2], r[3]));
                }
                continue;
            }
            table = null;
            if (AnswerText.isPreamble(line) || AnswerText.isNothingLine(line) || AnswerText.isClosing(line)
                    || (line.endsWith(":") && line.split("\\s+").length <= 6)) {
                continue; // "Medications and conditions:" heads a group, it relates nothing
            }
            // "Medication: Warfarin" then "Indication: atrial fibrillation"
            Matcher kv = KEY_VALUE.matcher(line);
            if (kv.matches()) {
                String key = kv.group(1).toLowerCase(Locale.ROOT);
                if (key.matches(HEAD_KEYS)) {
                    pendingHead = kv.group(2);
                    continue;
                }
                if (pendingHead != null) {
                    RelationItems.add(out, grounder, pendingHead, key, firstPart(kv.group(2)), "");
                    pendingHead = null;
                    continue;
                }
            }
            line = line.replaceFirst("(?i)^(?:connections?|relations?(?:hips?)?|links?|associations?)\\s*:\\s*", "");
            // "Based on the discharge summary, the connections are: A - B (...); C - D (...)": the lead-in relates nothing
            line = line.replaceFirst("(?i)^[^:]{0,100}\\b(?:are|include|includes|as follows|following)\\s*:\\s+(?=\\S)", "");
            for (String part : relationParts(line)) {
                parseLine(out, grounder, part);
            }
        }
        return out;
    }

    /** An inline list of relations ("A - treats B; C - treats D"): its parts when each has a separator. */
    private static List<String> relationParts(String line) {
        List<String> parts = AnswerText.semicolonParts(line);
        if (parts.size() < 2) {
            return List.of(line);
        }
        for (String p : parts) {
            if (!PARTS.matcher(p).find() && !p.matches("^[^:]{2,60}:\\s.*") && !CUE.matcher(p).find()
                    && !(WEAK_CUE.matcher(p).find() && p.split("\\s+").length <= 8)) {
                return List.of(line);
            }
        }
        return parts;
    }

    private static void parseLine(List<Relation> out, Grounder grounder, String line) {
        String[] parts = PARTS.split(line);
        if (parts.length >= 3) {
            // "Metformin - treats - type 2 diabetes[ - explanation]"
            String explanation = parts.length > 3 ? String.join(" - ", List.of(parts).subList(3, parts.length)) : "";
            RelationItems.add(out, grounder, parts[0], parts[1], parts[2], explanation);
            return;
        }
        if (parts.length == 2) {
            if (rightSide(out, grounder, parts[0], parts[1])) {
                return;
            }
            parseSentences(out, grounder, line);
            return;
        }
        // "Chlordiazepoxide: treats alcohol withdrawal", "Warfarin and INR: warfarin was held ..."
        Matcher colon = COLON_ITEM.matcher(line);
        if (colon.matches()) {
            String left = colon.group(1);
            String right = colon.group(2);
            int and = indexOfWord(left, " and ");
            if (and > 0 && left.split("\\s+").length <= 8) {
                RelationItems.add(out, grounder, left.substring(0, and), "related to", left.substring(and + 5), right);
                return;
            }
            Matcher cue = CUE.matcher(right);
            if (cue.find() && cue.start() <= 2) {
                splitTail(out, grounder, left, cue.group(1), right.substring(cue.end()));
                return;
            }
            Matcher weak = WEAK_CUE.matcher(right);
            if (weak.find()) {
                splitTail(out, grounder, left, weak.group(1), right.substring(weak.end()));
                return;
            }
            if (right.split("\\s+").length <= 4 && !right.matches("(?i).*\\b(?:was|were|is|are|had|has)\\b.*")) {
                RelationItems.add(out, grounder, left, "related to", right, ""); // "Varenicline: smoking cessation"
                return;
            }
        }
        int before = out.size();
        parseSentences(out, grounder, line.replaceFirst("^([^:]{2,60}):\\s+", "$1 "));
        Matcher weak = WEAK_CUE.matcher(line);
        if (out.size() == before && line.split("\\s+").length <= 8 && weak.find() && weak.start() > 0) {
            splitTail(out, grounder, line.substring(0, weak.start()), weak.group(1), line.substring(weak.end())); // "atorvastatin for hyperlipidemia"
        }
    }

    /** The side after a separator: "prescribed for X", "X: explanation", "X (treatment)", "X". */
    private static boolean rightSide(List<Relation> out, Grounder grounder, String head, String right) {
        Matcher cue = CUE.matcher(right);
        if (cue.find() && cue.start() == 0) {
            // "Metformin - prescribed for type 2 diabetes mellitus"
            splitTail(out, grounder, head, cue.group(1), right.substring(cue.end()));
            return true;
        }
        int colon = right.indexOf(": ");
        if (colon > 0 && right.substring(0, colon).split("\\s+").length <= 8) {
            // "Aspirin - NSTEMI: antiplatelet therapy for NSTEMI"
            RelationItems.add(out, grounder, head, "related to", right.substring(0, colon), right.substring(colon + 2));
            return true;
        }
        Matcher paren = TRAILING_PAREN.matcher(right);
        if (paren.matches()) {
            // "Metformin -> type 2 diabetes (treatment)"
            String label = paren.group(2);
            boolean isLabel = label.split("\\s+").length <= 2;
            RelationItems.add(out, grounder, head, isLabel ? label : "related to", paren.group(1), isLabel ? "" : label);
            return true;
        }
        if (!CUE.matcher(right).find()) {
            Matcher weak = WEAK_CUE.matcher(right);
            if (weak.find() && weak.start() > 0) {
                // "Fluticasone - controller medication for persistent asthma"
                splitTail(out, grounder, head, weak.group(1), right.substring(weak.end()));
            } else {
                RelationItems.add(out, grounder, head, "related to", right, "");
            }
            return true;
        }
        if (cue.start() > 0 && right.substring(0, cue.start()).split("\\s+").length <= 3) {
            // "Albuterol - given for asthma", "Respiratory viral panel - identified rhinovirus as the trigger"
            splitTail(out, grounder, head, cue.group(1), right.substring(cue.end()));
            return true;
        }
        int comma = right.indexOf(", ");
        if (comma > 0 && comma < cue.start() && right.substring(0, comma).split("\\s+").length <= 6) {
            // "Enoxaparin - DVT prophylaxis after surgery, dose-adjusted because of CKD": related to both
            splitTail(out, grounder, head, "related to", right.substring(0, comma));
            splitTail(out, grounder, head, cue.group(1), right.substring(cue.end()));
            return true;
        }
        return false;
    }

    private static String firstPart(String s) {
        Matcher end = TAIL_END.matcher(s);
        return end.find() ? s.substring(0, end.start()) : s;
    }

    static int indexOfWord(String s, String word) {
        return s.toLowerCase(Locale.ROOT).indexOf(word);
    }

    private static void parseSentences(List<Relation> out, Grounder grounder, String line) {
        String subject = null;
        for (String sentence : AnswerText.sentences(line)) {
            Matcher shortColon = SHORT_COLON.matcher(sentence.strip());
            if (shortColon.matches() && !CUE.matcher(sentence).find()) {
                RelationItems.add(out, grounder, shortColon.group(1), "related to", shortColon.group(2), ""); // "Atorvastatin: hyperlipidemia"
                continue;
            }
            String s = sentence.replaceFirst("(?i)^(?:based on|according to|in) [^,]{0,60},\\s*", "");
            Matcher cue = CUE.matcher(s);
            if (cue.find() && cue.start() > 0 && !AnswerText.saysNothingFound(s)) {
                String head = s.substring(0, cue.start());
                // "Ceftriaxone and azithromycin were started for pneumonia": one relation per head
                String h = cleanHead(head);
                if (subject != null && h.matches("(?i)it|this|they|these")) {
                    h = subject; // "X will be given with Y. It is intended to prevent Z": "It" is X
                }
                subject = h;
                Matcher together = TOGETHER.matcher(h);
                if (together.matches()) {
                    // "Together with persistent severe-range pressures, this worsening led to ...": both are heads
                    splitTail(out, grounder, together.group(1), cue.group(1), s.substring(cue.end()));
                    h = together.group(2);
                }
                int and = indexOfWord(h, " and ");
                if (and > 0 && h.split("\\s+").length <= 6) {
                    splitTail(out, grounder, h.substring(0, and), cue.group(1), s.substring(cue.end()));
                    splitTail(out, grounder, h.substring(and + 5), cue.group(1), s.substring(cue.end()));
                } else {
                    splitTail(out, grounder, h, cue.group(1), s.substring(cue.end()));
                }
            }
        }
    }

    /** The head of a prose relation without its verb: "IV fluids were given" -> "IV fluids", "Metoprolol, which" -> "Metoprolol". */
    private static String cleanHead(String head) {
        String h = head.strip();
        String prev;
        do {
            prev = h;
            h = h.replaceFirst("(?i)[,\\s]+(?:which|that|who)$", "");
            h = h.replaceFirst("(?i)\\s+(?:was|were|is|are)\\s+[a-z-]+,$", ""); // "The AKI was prerenal, caused by ..."
            h = h.replaceFirst("(?i)\\s+(?:was|were|is|are|has been|have been|had been|being)(?:\\s+(?:\\w+ly|then|also|later|initially))?"
                    + "(?:\\s+(?:given|started|held|continued|used|administered|prescribed|initiated|performed|done|"
                    + "ordered|recommended|discontinued|stopped|resumed|placed|obtained|added|offered|increased|decreased|"
                    + "changed|switched|noted|found|elevated|treated|managed|diagnosed|likely|probably|thought|considered|"
                    + "intended|planned|expected|scheduled|meant))?$", "");
            h = h.replaceFirst("(?i)\\s+(?:will|would|can|could|should|may|might)(?:\\s+(?:also|then))?\\s+be$", ""); // "will be given with"
            h = h.replaceFirst("(?i)\\s+(?:was|were|is|are)$", "");
            h = h.replaceFirst("(?i)\\s+(?:also|then|later|initially|subsequently|ultimately|eventually|likely|probably)$", "");
            h = h.strip();
        } while (!h.equals(prev));
        return h;
    }

    /** One item of an inline list with a note on each: "magnesium sulfate (to prevent seizures), " */
    private static final Pattern NOTED_ITEM = Pattern.compile("\\s*([^,;()]{2,40}?)\\s*\\(([^()]+)\\)(\\s*,\\s*(?:and\\s+)?|\\s+and\\s+|\\s*[.;]?\\s*$)");

    static void splitTail(List<Relation> out, Grounder grounder, String head, String label, String rest) {
        String r = rest.strip();
        List<String[]> noted = new ArrayList<>();
        Matcher item = NOTED_ITEM.matcher(r);
        int at = 0;
        while (at < r.length() && item.region(at, r.length()).lookingAt()) {
            noted.add(new String[] {item.group(1), item.group(2)});
            at = item.end();
            if (item.group(3).isBlank() || item.group(3).matches("\\s*[.;]\\s*")) {
                break;
            }
        }
        if (noted.size() >= 2 && at >= r.length()) {
            // "treated with A (to prevent seizures), B (to lower pressure) and C (for control)": one relation each
            noted.forEach(n -> RelationItems.add(out, grounder, head, label, n[0], n[1]));
            return;
        }
        Matcher end = TAIL_END.matcher(r);
        String tail = r;
        String explanation = "";
        if (end.find()) {
            tail = r.substring(0, end.start());
            explanation = r.substring(end.start()).replaceFirst("^[,;.:]?\\s*", "").replaceFirst("^\\(", "");
            explanation = explanation.replaceFirst("\\)\\.?$", "");
        }
        RelationItems.add(out, grounder, head, label, tail, explanation);
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
        if ((AnswerText.saysNothingFound(first) && !hasCue) || NO_CONNECTION.matcher(text).find()) {
            return Optional.empty(); // a relation phrase in the sentences after "no connection" is about something else
        }
        String label = hasCue ? cue.group(1).toLowerCase(Locale.ROOT) : "related to";
        return Optional.of(new Relation(a, label, b, text.replace('\n', ' ').replaceAll("\\s+", " "),
                RelationItems.groundAsked(grounder, a, text), RelationItems.groundAsked(grounder, b, text)));
    }
}
