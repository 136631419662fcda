package dev.asclepius.tasks.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shapes shared by every task's parser: lines and bullets, list splitting, "nothing found" answers,
 * preambles that restate the question, and the incomplete tail of an answer cut by the token limit.
 */
public final class AnswerText {
    private AnswerText() {
    }

    private static final Pattern BULLET = Pattern.compile(
            "^(?:[-*•·–—+>]|\\(?\\d{1,2}[.)]|\\(?[a-hA-H][.)](?=\\s)|#{1,4})\\s*");
    private static final Pattern NOTHING = Pattern.compile("(?i)\\b(?:"
            + "no (?:specific |explicit |other |further |additional )?(?:mention|information|record|documentation|indication|evidence|reference)s? (?:of|about|regarding|to|is|was|in)"
            + "|(?:is|are|was|were) not (?:mentioned|documented|specified|stated|provided|reported|given|available|described|listed|identified|used|present|found)"
            + "|does(?: not|n't) (?:appear|occur)|do(?: not|n't) (?:appear|see)|(?:is|are) not (?:in|part of) (?:the|this)"
            + "|does(?: not|n't) (?:mention|specify|provide|contain|state|include|list|describe|report|document|indicate)"
            + "|did not (?:mention|specify|provide|contain|state|include|list|describe|report|document)"
            + "|(?:were|was) (?:mentioned|documented|identified|reported|found|listed)? ?(?:none|not found)"
            + "|no \\w+(?: \\w+){0,3} (?:were|was|are|is) (?:mentioned|documented|identified|reported|found|listed|noted|described)"
            + "|there (?:are|is|were|was) no\\b"
            + "|unable to (?:determine|identify|find|locate|extract)|cannot be (?:determined|identified|found)"
            + "|not possible to (?:determine|identify)"
            + ")");
    private static final Pattern NONE_ALONE = Pattern.compile("(?i)^(?:none|n/a|no|not applicable|nothing)\\b[.!]?\\s*(?:found|mentioned|identified|noted)?[.!]?$");
    private static final Pattern PREAMBLE = Pattern.compile("(?i)^(?:sure|certainly|of course|yes|okay|ok|here|"
            + "based on|according to|from the|in the|in this|the discharge summary|the following|below)\\b.*");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"\\n]{3,}?)\"|“([^”\\n]{3,}?)”|(?<![A-Za-z])'([^'\\n]{3,}?)'(?![A-Za-z])");
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?](?=\\s|$)");
    private static final Pattern FILLER_START = Pattern.compile("(?i)^(?:sure|certainly|of course|okay)[!.,]\\s*");

    /**
     * The part of {@code raw} that the model finished. When the answer was cut by the token limit its last
     * line (or, in single-line prose, its last unfinished sentence) is dropped rather than parsed as a
     * shortened item.
     */
    public static String complete(String raw, boolean truncated) {
        String text = raw.replace("\r\n", "\n").replace('\r', '\n');
        if (!truncated) {
            return stripFiller(text);
        }
        String body = text.stripLeading();
        if (body.endsWith("\n")) {
            return stripFiller(body); // cut exactly at a line break: every line is whole
        }
        int nl = body.lastIndexOf('\n');
        if (nl >= 0) {
            // a cut paragraph keeps its finished sentences; a cut list item is dropped
            String last = body.substring(nl + 1);
            int end = lastSentenceEnd(last);
            return stripFiller(end > 0 && last.substring(0, end).split("\\s+").length >= 8
                    ? body.substring(0, nl + 1 + end) : body.substring(0, nl));
        }
        int end = lastSentenceEnd(body);
        // a cut sentence keeps its finished clauses: "... on 2021-06-13 and should follow up in 4 weeks and
        // with his PCP within 2 we"; a cut inline list keeps its finished items: "A (x), B (y) and C (z"
        int cut = Math.max(Math.max(body.lastIndexOf(", "), body.lastIndexOf("; ")), body.lastIndexOf(" and "));
        if (cut > end && cut > 0 && body.substring(Math.max(end, 0), cut).split("\\s+").length >= 4) {
            return stripFiller(body.substring(0, cut));
        }
        if (end < 0) {
            return "";
        }
        return stripFiller(body.substring(0, end));
    }

    private static int lastSentenceEnd(String text) {
        Matcher m = SENTENCE_END.matcher(text);
        int end = -1;
        while (m.find()) {
            if (m.end() < text.length()) {
                end = m.end();
            }
        }
        return end;
    }

    /** Non-empty trimmed lines, with markdown emphasis removed. */
    public static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String l = line.replace("**", "").replace("__", "").strip();
            if (!l.isEmpty()) {
                out.add(l);
            }
        }
        return out;
    }

    public static boolean isBullet(String line) {
        return BULLET.matcher(line).find() && !line.matches("^\\d+[.)]\\d.*");
    }

    public static String stripBullet(String line) {
        if (line.matches("^\\d+\\.\\d.*")) {
            return line; // "2.5 mg ..." is a number, not a list marker
        }
        return BULLET.matcher(line).replaceFirst("").strip();
    }

    /** The model said the note has nothing of the kind asked for. */
    public static boolean saysNothingFound(String text) {
        String t = text.strip();
        return NONE_ALONE.matcher(t).matches() || NOTHING.matcher(t).find();
    }

    private static final Pattern NOT_IN_NOTE = Pattern.compile("(?i)\\b(?:no (?:specific |explicit |further |other )?"
            + "(?:mention|information|record|documentation|details?|data)\\b|(?:is|are|was|were) not (?:mentioned|documented|specified|"
            + "stated|provided|available|described|reported|recorded|addressed)|does(?: not|n't) (?:mention|specify|provide|contain|state|"
            + "include|document|say|describe|report|indicate|list|appear|use)|did not (?:mention|specify|provide|document|state|describe)|"
            + "unable to (?:determine|find|identify)|cannot be (?:determined|found)|not possible to determine|"
            + "(?:there is|there are) no (?:mention|information|record|documentation))");

    /**
     * The text says the note lacks what was asked ("The discharge summary does not mention ..."), as
     * opposed to stating a negative finding ("there was no sign of pneumonia" is an answer).
     */
    public static boolean saysNotInNote(String text) {
        return NOT_IN_NOTE.matcher(text).find() || NONE_ALONE.matcher(text.strip()).matches();
    }

    private static final Pattern TABLE_RULE = Pattern.compile("^[|:\\-\\s]+$");

    /** A table row: "| a | b |" (markdown) or "a | b" (plain). */
    public static boolean isTableRow(String line) {
        return line.contains(" | ") || line.matches("^\\|.*\\|$");
    }

    /** The rule under a table's header: "|---|:---|". */
    public static boolean isTableRule(String line) {
        return TABLE_RULE.matcher(line).matches();
    }

    /** A table row's cells, outer pipes removed, each stripped (empty cells kept in place). */
    public static List<String> tableCells(String line) {
        List<String> cells = new ArrayList<>();
        for (String c : line.replaceAll("^\\||\\|$", "").split("\\|", -1)) {
            cells.add(c.strip());
        }
        return cells;
    }

    /**
     * Every sentence of the line says nothing was found. "The patient is a former smoker. There is no
     * mention of exercise." still carries an item, so it is not a nothing line.
     */
    public static boolean isNothingLine(String line) {
        List<String> sentences = sentences(line);
        return !sentences.isEmpty() && sentences.stream().allMatch(AnswerText::saysNothingFound);
    }

    /**
     * A line that introduces the answer instead of being part of it: it ends with a colon and restates
     * the question ("The medications prescribed are as follows:"), or is a courtesy ("Sure!").
     */
    public static boolean isPreamble(String line) {
        String l = line.strip();
        if (l.matches("(?i)^(?:sure|certainly|of course|okay|ok|yes)[!.,]?$")) {
            return true;
        }
        // one sentence that ends in a colon; "The patient improved. Discharge plan:" carries content
        return l.endsWith(":") && !l.matches(".*[.!?]\\s.*")
                && (PREAMBLE.matcher(l).matches() || l.split("\\s+").length >= 4);
    }

    private static final Pattern SIGN_OFF = Pattern.compile("(?i)^(?:i hope|hope this|please let|let me know|feel free|"
            + "if you have any|if you need|please note that this|please consult|please don't hesitate|please do not hesitate|"
            + "do not hesitate|don't hesitate|it is important|it's important|please note that)\\b.*");
    private static final Pattern QUOTED_SIGN_OFF = Pattern.compile("(?s)^(.*[.!?][\"”])\\s+([^\"”\\n]+)$");
    private static final Pattern ANSWER_LEAD = Pattern.compile("(?i)^(?:based on|according to|per|from|as per) (?:the|this) "
            + "(?:discharge summary|summary|note|report|record|documentation)[^,:]{0,40}[,:]\\s*");

    /**
     * A free-text answer without what surrounds it: a title line ("Simplified discharge summary"), a
     * preamble line that ends in a colon, a "Based on the discharge summary," lead, and closing courtesies
     * ("I hope this helps!", "Please let me know ..."). The rest is kept as written.
     */
    public static String dropClosing(String text) {
        List<String> lines = new ArrayList<>(List.of(text.strip().split("\n")));
        while (lines.size() > 1) {
            String first = lines.get(0).replace("**", "").replace("#", "").strip();
            boolean title = !first.isEmpty() && first.split("\\s+").length <= 5 && !first.matches(".*[.!?,;].*")
                    && !first.endsWith(":") && lines.size() > 1 && !isBullet(lines.get(0).strip());
            if (first.isEmpty() || title || (isPreamble(first) && !isBullet(lines.get(0).strip()))) {
                lines.remove(0);
            } else {
                break;
            }
        }
        while (lines.size() > 1 && (lines.get(lines.size() - 1).isBlank()
                || SIGN_OFF.matcher(lines.get(lines.size() - 1).replace("**", "").strip()).matches())) {
            lines.remove(lines.size() - 1);
        }
        String body = String.join("\n", lines).strip();
        // "... take it." Let me know if you need anything else.": a sign-off after a closing quote
        Matcher quoted = QUOTED_SIGN_OFF.matcher(body);
        if (quoted.matches() && SIGN_OFF.matcher(quoted.group(2)).matches()) {
            body = quoted.group(1);
        }
        // a sign-off sentence at the end of the last paragraph
        int nl = body.lastIndexOf('\n');
        String last = body.substring(nl + 1);
        List<String> sentences = sentences(last);
        int keep = sentences.size();
        while (keep > 1 && SIGN_OFF.matcher(sentences.get(keep - 1)).matches()) {
            keep--;
        }
        if (keep < sentences.size()) {
            String cut = sentences.get(keep);
            int at = last.indexOf(cut);
            if (at > 0) {
                body = body.substring(0, nl + 1) + last.substring(0, at).strip();
            }
        }
        Matcher lead = ANSWER_LEAD.matcher(body);
        if (lead.find()) {
            String rest = body.substring(lead.end());
            body = rest.isEmpty() ? body : Character.toUpperCase(rest.charAt(0)) + rest.substring(1);
        }
        return body;
    }

    /** Removes a courtesy opener ("Sure! ", "Certainly, ") from the start of a text. */
    public static String stripFiller(String text) {
        return FILLER_START.matcher(text.strip()).replaceFirst("").strip();
    }

    /** Splits prose into sentences, not breaking after common abbreviations or inside decimals. */
    public static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        String t = text.replace('\n', ' ').strip();
        int start = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if ((c == '.' || c == '!' || c == '?') && (i + 1 == t.length() || Character.isWhitespace(t.charAt(i + 1)))) {
                String before = t.substring(start, i);
                String lastWord = before.substring(before.lastIndexOf(' ') + 1).toLowerCase(Locale.ROOT);
                if (c == '.' && lastWord.matches("dr|mr|mrs|ms|e\\.g|i\\.e|vs|approx|no|st|pt|(?:[a-z]\\.)+[a-z]")) {
                    continue;
                }
                String after = t.substring(i + 1).stripLeading();
                if (c == '.' && before.matches("(?s)(?:.*[\\s(])?[A-Z]") && !after.isEmpty() && Character.isLowerCase(after.charAt(0))) {
                    continue; // "E. coli", "H. pylori": a genus initial, the sentence goes on in lower case
                }
                String s = t.substring(start, i + 1).strip();
                if (!s.isEmpty()) {
                    out.add(s);
                }
                start = i + 1;
            }
        }
        String rest = t.substring(start).strip();
        if (!rest.isEmpty()) {
            out.add(rest);
        }
        return out;
    }

    /**
     * Splits an inline list ("metformin 500 mg BID, lisinopril and aspirin") at top-level commas and
     * semicolons, and at the final "and"/"or". Parentheses protect their content.
     */
    public static List<String> splitList(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if ((c == ')' || c == ']') && depth > 0) {
                depth--;
            } else if ((c == ',' || c == ';') && depth == 0
                    && !(c == ',' && i > 0 && i + 1 < text.length() && Character.isDigit(text.charAt(i - 1))
                    && Character.isDigit(text.charAt(i + 1)))
                    && !(c == ',' && isDateComma(text, i))) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        List<String> out = new ArrayList<>();
        for (int k = 0; k < parts.size(); k++) {
            String p = parts.get(k).strip();
            boolean last = k == parts.size() - 1;
            if (last || parts.size() == 1) {
                p = p.replaceFirst("(?i)^(?:and|or)\\s+", "");
                // "metformin and lisinopril": split at an "and" outside parentheses in the last part
                int and = topLevelIndexOf(p, " and ");
                if (and > 0 && !p.substring(0, and).matches(".*\\d\\s*$")) {
                    out.add(p.substring(0, and).strip());
                    p = p.substring(and + 5).strip();
                }
            }
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }

    private static boolean isDateComma(String text, int i) {
        // "March 14, 2019"
        return i + 2 < text.length() && text.substring(i + 1).matches("^\\s\\d{4}\\b.*")
                && text.substring(0, i).matches("(?s).*[A-Za-z]+\\.?\\s\\d{1,2}$");
    }

    private static int topLevelIndexOf(String s, String needle) {
        int depth = 0;
        for (int i = 0; i + needle.length() <= s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (depth == 0 && s.regionMatches(true, i, needle, 0, needle.length())) {
                return i;
            }
        }
        return -1;
    }

    /** Strips wrapping quotes and trailing sentence punctuation from an item. */
    public static String tidy(String item) {
        String t = item.strip();
        t = t.replaceAll("[.;,:]+$", "").strip();
        if (t.length() >= 2 && "\"'“‘`".indexOf(t.charAt(0)) >= 0 && "\"'”’`".indexOf(t.charAt(t.length() - 1)) >= 0) {
            t = t.substring(1, t.length() - 1).strip();
        }
        return t;
    }

    /** The quoted strings in a text ('...', "...", “...”), at least three characters long. */
    public static List<String> quotes(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = QUOTED
                .matcher(text);
        while (m.find()) {
            String q = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            out.add(tidy(q));
        }
        return out;
    }
    private static final Pattern INTRO_CLAUSE = Pattern.compile(
            "(?i)^(?:based on|according to|as per|per|from|in|upon review of|after reviewing) [^,]{0,80},\\s*");
    private static final Pattern STRONG_CUE = Pattern.compile("(?i)^.*?\\b(?:(?:was|were|is|are|has been|have been|had been)\\s+)?"
            + "(?:prescribed|diagnosed with|treated with|started on|discharged on|discharged with|underwent|received|"
            + "presented with|suffer(?:s|ed)? from|(?:has|had) a (?:past )?(?:medical )?history of|(?:is|are|were|was) as follows|"
            + "include[sd]?|including|consist(?:s|ed)? of|(?:identified|mentioned|noted|listed|documented|performed|ordered|done)"
            + "(?:\\s+(?:in|during) (?:the|this) [a-z ]+?)?\\s+(?:are|were|is|was|include[sd]?|as)|(?:were|was) (?:identified|mentioned|noted|found)|"
            + "(?:are|were|is|was) taking|takes|(?:are|were|is|was) on)\\b\\s*(?:the following(?: \\w+){0,3})?\\s*:?\\s*");
    private static final Pattern WEAK_CUE = Pattern.compile("(?i)^(.*?)\\b(?:are|were|is|was|has|had)\\b\\s*:?\\s*");
    private static final Pattern SUBJECT = Pattern.compile("(?i).*(?:\\b(?:he|she|they)\\b|\\b(?:patient|following|medication|medicine|drug|"
            + "condition|diagnos|test|procedure|factor|finding|abbreviation|habit|result|lifestyle|problem)\\w*).*");
    private static final Pattern TRAILING_QUALIFIER = Pattern.compile("(?i)\\s+(?:during (?:the|his|her|this) "
            + "(?:hospital(?:ization| stay| course)?|admission|stay)|on admission|at (?:the time of )?discharge|upon discharge|"
            + "in the discharge summary|in this discharge summary|according to the discharge summary)\\s*[.]?$");

    /**
     * Reduces a prose sentence to the list it carries: "Based on the summary, the patient was prescribed
     * metformin and lisinopril." becomes "metformin and lisinopril". A sentence with no lead-in is
     * returned unchanged (it is already an item, e.g. "Chest X-ray showed cardiomegaly").
     */
    public static String stripLeadIn(String sentence) {
        String s = INTRO_CLAUSE.matcher(sentence.strip()).replaceFirst("");
        Matcher strong = STRONG_CUE.matcher(s);
        if (strong.find() && !s.substring(strong.end()).matches("(?i)^(?:for|to|by|at|due|because|after|in|with)\\b.*")) {
            s = s.substring(strong.end());
        } else {
            Matcher weak = WEAK_CUE.matcher(s);
            // "The medications were ...": a short subject; "The patient drinks wine daily and has ..." is an item
            if (weak.find() && SUBJECT.matcher(weak.group(1)).matches() && weak.group(1).strip().split("\\s+").length <= 6) {
                s = s.substring(weak.end());
            }
        }
        s = TRAILING_QUALIFIER.matcher(s.strip()).replaceFirst("");
        return s.replaceAll("[.;:]+$", "").strip();
    }

    private static final Pattern CLOSING = Pattern.compile("(?i)^(?:let me know|i hope|hope this|feel free|if you (?:have|need|would)|"
            + "please (?:let|consult|refer|keep)|it is important|it's important|overall,|in summary|in conclusion|"
            + "note:|notes?:|these (?:are|were) (?:the|all)|this (?:list|information|summary) (?:is|was|includes|may)|"
            + "all (?:of )?(?:these|the above)|(?:i )?(?:would )?recommend|it should be noted|keep in mind|"
            + "no other \\w+|there (?:are|were) no other|the (?:discharge )?summary does not)\\b.*");

    /** A closing remark ("Let me know if ...", "Please note that ...") that follows the items, not an item. */
    public static boolean isClosing(String line) {
        return CLOSING.matcher(line.strip()).matches();
    }

    /**
     * Splits an inline list written with semicolons ("AF - atrial fibrillation; CKD - chronic kidney disease")
     * into its parts. A line with no top-level semicolon comes back whole.
     */
    public static List<String> semicolonParts(String line) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if ((c == ')' || c == ']') && depth > 0) {
                depth--;
            } else if (c == ';' && depth == 0) {
                out.add(line.substring(start, i).strip());
                start = i + 1;
            }
        }
        out.add(line.substring(start).strip().replaceFirst("(?i)^and\\s+", ""));
        out.removeIf(String::isEmpty);
        return out.isEmpty() ? List.of(line) : out;
    }

    /** Removes a leading article ("a chest X-ray" -> "chest X-ray"). */
    public static String stripArticle(String item) {
        return item.replaceFirst("(?i)^(?:a|an|the)\\s+", "").strip();
    }
}
