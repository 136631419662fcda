package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.CoreferenceChain;
import dev.asclepius.tasks.Grounding;
import dev.asclepius.tasks.Span;
import dev.asclepius.tasks.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import dev.asclepius.tasks.internal.TaskSpec.Reply;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Coreference: what the pronouns and referring phrases stand for, or what one of them refers to. */
public final class CoreferenceTask {
    private CoreferenceTask() {
    }

    public static final String ALL_QUESTION = "Identify the coreferents for the pronouns and referring phrases used in "
            + "the discharge summary. Please list each pronoun or phrase on its own line with what it refers to.";

    public static String oneQuestion(String mention) {
        return "In the discharge summary, who or what does '" + mention + "' refer to?";
    }

    private static final String REFERS = "(?:refers? to|refers? back to|(?:is|are) referring to|(?:is|are) used to refer to|"
            + "corresponds? to|(?:is|are) (?:a )?reference to|(?:is|are) coreferent with|denotes?|means)";
    private static final Pattern STATES = Pattern.compile("(?i)^(?:in [^,]{0,80},\\s*)?(?:the (?:pronouns?|phrases?|terms?|words?)\\s+)?(.+?)\\s+"
            + "(?:(?:in|within) (?:the|this) [\\w' -]{0,60}?,?\\s+)?(?:most likely |likely |all )?"
            + REFERS + "\\s+(.+)$");
    private static final Pattern NEXT_CLAUSE = Pattern.compile("(?i)(?:,\\s*|;\\s*|\\s+)(?:and|while|whereas)\\s+"
            + "(?=[\"'“‘][^\"'”’]{1,40}[\"'”’]\\s+(?:also\\s+)?" + REFERS + ")|;\\s+");
    private static final Pattern MENTION_QUOTE = Pattern.compile("\"([^\"]+)\"|“([^”]+)”|(?<![A-Za-z])['‘]([^'’]+?)['’](?![A-Za-z])");
    private static final Pattern EXAMPLE = Pattern.compile("(?i)\\s+(?:in|from)\\s+(?:the\\s+(?:sentence|line|phrase)\\s+)?[\"“'‘]");
    private static final Pattern PATIENT_INTRO = Pattern.compile("(?i)\\b\\d{1,3}-year-old(?:\\s+[A-Za-z0-9-]+){0,2}?\\s+"
            + "(?:man|woman|male|female|boy|girl|gentleman|lady|infant|child)\\b");
    private static final Pattern HAS_REFERS = Pattern.compile("(?i)\\b" + REFERS + "\\b");
    private static final Pattern SEPARATED = Pattern.compile("^(.+?)\\s*(?::|\\s[-–—=]\\s|->|→|=>)\\s*(.+)$");
    /** Where a referent's explanation starts; a gloss inside the name ("AA (Alcoholics Anonymous) meetings") is kept. */
    private static final String REFERENT_END_REST = ";\\s|(?<!\\b(?:mr|mrs|ms|dr|st|sr|jr))(?!(?<=(?-i:\\b[A-Z]))\\.\\s(?-i:[a-z]))\\.\\s|"
            + "\\s+\\((?=[^()]*\\)\\s*(?:[,.;:]|$|which|who|that|found|given|at|in|on|from|described|started))|\\s+i\\.e\\.|"
            + "\\s+(?:that|found|given to|described|started|at \\d|which was|who was|listed)\\b|\\s+(?:who|which|mentioned|"
            + "(?:in|from) the (?:sentence|line|paragraph|section|previous|discharge))\\b"
            // "the oral ciprofloxacin she was switched to": a clause without "that" ends the name too
            + "|(?<!\\band)(?<!\\bor)(?<!\\bbut)(?<!,)\\s+(?=(?:she|he|they|we)\\s+(?:was|were|is|are|had|has|will|would|took|takes|received)\\b)";
    private static final Pattern REFERENT_END = Pattern.compile("(?i),\\s|" + REFERENT_END_REST);
    /** A plural mention ("these symptoms", "they"): its referent is a list, not cut at its commas. */
    private static final Pattern PLURAL = Pattern.compile("(?i)^[\"“'‘]?(?:these|those|they|them|both|all of these)\\b.*");
    private static final Pattern LIST_END = Pattern.compile("(?i),\\s+(?=(?:the|a|an|which|who|that)\\s)|" + REFERENT_END_REST);
    private static final Pattern TABLE_HEADER = Pattern.compile("(?i).*\\b(?:pronouns?|phrases?|mentions?|refers?|referents?|"
            + "antecedents?|terms?|words?|what it refers to)\\b.*");

    public static TaskSpec<List<CoreferenceChain>> all() {
        return new TaskSpec<>() {
            @Override
            public Task task() {
                return Task.COREFERENCES;
            }

            @Override
            public List<String> instructions() {
                return List.of(ALL_QUESTION);
            }

            @Override
            public List<CoreferenceChain> parse(Grounder grounder, List<Reply> replies) {
                List<CoreferenceChain> out = new ArrayList<>();
                for (Reply r : replies) {
                    out.addAll(AnswerParsers.list(AnswerParsers.parse(Task.COREFERENCES, grounder, ALL_QUESTION, r)));
                }
                return out;
            }

            @Override
            public Grounding grounding(List<CoreferenceChain> value) {
                return CoreferenceTask.grounding(value);
            }
        };
    }

    public static TaskSpec<Optional<CoreferenceChain>> of(String mention) {
        return new TaskSpec<>() {
            @Override
            public Task task() {
                return Task.COREFERENCES;
            }

            @Override
            public List<String> instructions() {
                return List.of(oneQuestion(mention));
            }

            @Override
            public Optional<CoreferenceChain> parse(Grounder grounder, List<Reply> replies) {
                return AnswerParsers.first(AnswerParsers.parse(Task.COREFERENCES, grounder, oneQuestion(mention), replies.get(0)));
            }

            @Override
            public Grounding grounding(Optional<CoreferenceChain> value) {
                return CoreferenceTask.grounding(value.stream().toList());
            }
        };
    }

    static Grounding grounding(List<CoreferenceChain> chains) {
        List<List<Span>> items = new ArrayList<>();
        for (CoreferenceChain c : chains) {
            items.add(c.referentSpans());
            items.add(c.mentionSpans());
        }
        return Grounding.of(items);
    }

    public static List<CoreferenceChain> parseAll(Grounder grounder, Reply reply) {
        String text = AnswerText.complete(reply.text(), reply.truncated());
        Map<String, String> referents = new LinkedHashMap<>();
        Map<String, List<String>> mentions = new LinkedHashMap<>();
        Map<String, String> contexts = new LinkedHashMap<>();
        for (String raw : AnswerText.lines(text)) {
            String line = AnswerText.stripBullet(raw);
            if (AnswerText.isPreamble(line) || AnswerText.isNothingLine(line) || AnswerText.isTableRule(line)) {
                continue;
            }
            if (AnswerText.isTableRow(line)) {
                // "She | the patient, a 54-year-old woman": a table of mention and referent; the header names columns
                List<String> cells = new ArrayList<>(AnswerText.tableCells(line));
                cells.removeIf(String::isEmpty);
                if (cells.size() < 2 || cells.stream().allMatch(c -> TABLE_HEADER.matcher(c).matches())) {
                    continue;
                }
                line = cells.get(0) + " - " + cells.get(1);
            }
            for (String sentence : clauses(line)) {
                Optional<String[]> pair = pairIn(sentence);
                if (pair.isEmpty()) {
                    continue;
                }
                for (String referent : referents(pair.get()[1])) {
                String key = referent.toLowerCase(Locale.ROOT);
                referents.putIfAbsent(key, referent);
                contexts.putIfAbsent(key, sentence);
                List<String> list = mentions.computeIfAbsent(key, k -> new ArrayList<>());
                for (String m : mentionsIn(pair.get()[0])) {
                    String mention = AnswerText.tidy(m);
                    if (!mention.isEmpty() && list.stream().noneMatch(mention::equalsIgnoreCase)) {
                        list.add(mention);
                    }
                }
                }
            }
        }
        List<CoreferenceChain> out = new ArrayList<>();
        for (Map.Entry<String, String> e : referents.entrySet()) {
            out.add(chain(grounder, e.getValue(), mentions.get(e.getKey()), contexts.get(e.getKey())));
        }
        return out;
    }

    /**
     * The mentions a line names: its quoted words ("'He' / 'his'", "\"He\" (He reported ...)"), else the
     * words before any example in parentheses, split at "/", "and" and commas.
     */
    static List<String> mentionsIn(String text) {
        String t = text.strip();
        int dash = t.lastIndexOf(" - ");
        if (dash > 0 && MENTION_QUOTE.matcher(t.substring(dash)).find()) {
            t = t.substring(dash + 3); // '"her CKD" - "her"': the mention is the one named last
        }
        Matcher example = EXAMPLE.matcher(t);
        if (example.find() && example.start() > 0) {
            t = t.substring(0, example.start()); // '"these" in "attend these daily"': the second quote is the example
        }
        List<String> quoted = new ArrayList<>();
        Matcher q = MENTION_QUOTE.matcher(t);
        int firstParen = t.indexOf('(');
        while (q.find()) {
            if (firstParen >= 0 && q.start() > firstParen) {
                break; // quotes inside "(He reported ...)" are examples, not mentions
            }
            String g = q.group(1) != null ? q.group(1) : q.group(2) != null ? q.group(2) : q.group(3);
            quoted.add(g.strip());
        }
        if (!quoted.isEmpty()) {
            return quoted;
        }
        String bare = firstParen > 0 ? t.substring(0, firstParen) : t;
        bare = bare.replaceFirst("(?i)\\s+in\\s+(?:the\\s+)?(?:sentence|line|phrase)\\b.*$", "");
        List<String> out = new ArrayList<>();
        for (String part : bare.split("\\s*/\\s*|\\s*,\\s*(?:and\\s+)?|\\s+and\\s+|\\s+or\\s+")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }

    /** Sentences, further split where a second "'x' refers to" clause starts ("'it' refers to A and 'he' refers to B"). */
    private static List<String> clauses(String line) {
        List<String> out = new ArrayList<>();
        List<String> pieces = new ArrayList<>();
        for (String sentence : AnswerText.sentences(line)) {
            pieces.addAll(AnswerText.semicolonParts(sentence)); // "He / his - the patient; it - BiPAP"
        }
        for (String sentence : pieces) {
            String pending = "";
            for (String clause : NEXT_CLAUSE.split(sentence)) {
                // "'he' and 'his' refer to X": a piece without its own verb belongs to the next one
                pending = pending.isEmpty() ? clause.strip() : pending + " and " + clause.strip();
                if (HAS_REFERS.matcher(pending).find()) {
                    out.add(pending);
                    pending = "";
                }
            }
            if (!pending.isBlank()) {
                out.add(pending);
            }
        }
        return out;
    }

    /** (mentions, referent) stated by a sentence: "'He' refers to the patient" or "He - the patient". */
    private static Optional<String[]> pairIn(String sentence) {
        String s = sentence.strip().replaceAll("[.]$", "");
        Matcher m = STATES.matcher(s);
        if (m.matches()) {
            return Optional.of(new String[] {m.group(1), referent(m.group(2), m.group(1))});
        }
        Matcher sep = SEPARATED.matcher(s);
        if (sep.matches()) {
            return Optional.of(new String[] {sep.group(1), referent(sep.group(2), sep.group(1))});
        }
        return Optional.empty();
    }

    /** "the weaning off daytime BiPAP and the transition to 2 L nasal cannula": two referents. */
    private static List<String> referents(String referent) {
        String[] parts = referent.split("(?i)\\s+and\\s+(?=the\\s)");
        if (parts.length == 2 && parts[0].split("\\s+").length >= 2 && parts[1].split("\\s+").length >= 3) {
            return List.of(parts[0].strip(), parts[1].strip());
        }
        return List.of(referent);
    }

    private static String referent(String text, String mention) {
        String t = text.strip();
        Matcher end = (PLURAL.matcher(mention.strip()).matches() ? LIST_END : REFERENT_END).matcher(t);
        if (end.find() && end.start() > 0) {
            t = t.substring(0, end.start());
        }
        return AnswerText.tidy(t);
    }

    /**
     * @param context the answer's sentence that names the referent, whose wording around it (an appositive
     *                "the newborn baby, the viable male infant ...") grounds a referent the note words otherwise
     */
    private static CoreferenceChain chain(Grounder grounder, String referent, List<String> mentions, String context) {
        List<Span> mentionSpans = new ArrayList<>();
        for (String m : mentions) {
            mentionSpans.addAll(grounder.locateStrict(m));
        }
        mentionSpans.sort(java.util.Comparator.comparingInt(Span::begin));
        // ground what the referent names ("patient"), not its article ("the patient" is not a span of its own)
        String named = referent.replaceFirst("(?i)^(?:the patient's|the patient’s|patient's|the|a|an|his|her|their)\\s+", "");
        List<Span> referentSpans = new ArrayList<>(groundReferent(grounder, named.isEmpty() ? referent : named));
        if (referentSpans.isEmpty()) {
            appositive(context, referent).ifPresent(a -> referentSpans.addAll(groundReferent(grounder, a)));
        }
        if (referent.matches("(?i)(?:the )?patient|.*\\byear-old\\b.*")) {
            // the patient is also where the note introduces them ("a 58-year-old woman")
            java.util.regex.Matcher intro = PATIENT_INTRO.matcher(grounder.note().text());
            while (intro.find()) {
                referentSpans.add(Span.of(grounder.note(), intro.start(), intro.end(), dev.asclepius.tasks.MatchKind.NORMALIZED));
            }
            referentSpans.sort(java.util.Comparator.comparingInt(Span::begin));
        }
        return new CoreferenceChain(referent, mentions, referentSpans, mentionSpans);
    }

    /** Where a referent's head phrase ends and what the answer adds about it begins. */
    private static final String HEAD_END = "(?i)\\s+(?:from|on|with|delivered|performed|in|at|during|after|for|of the)\\s+";
    /** Where what the answer tells about the referent (when, where, how) begins. */
    private static final String CIRCUMSTANCE = "(?i)\\s+(?:on|at|during|after|delivered|performed|under)\\s+";
    private static final Pattern APPOSITIVE = Pattern.compile(
            "^\\s*(?:,\\s*(?:i\\.e\\.,?\\s*|namely\\s+)?|\\s*\\(\\s*)(?:(?:the|a|an|his|her|their)\\s+)?([^,;.()]{3,})");

    /** What the answer says right after the referent, set off by a comma or a parenthesis: another name for it. */
    static Optional<String> appositive(String context, String referent) {
        if (context == null || referent.isBlank()) {
            return Optional.empty();
        }
        int at = context.toLowerCase(Locale.ROOT).indexOf(referent.toLowerCase(Locale.ROOT));
        if (at < 0) {
            return Optional.empty();
        }
        Matcher m = APPOSITIVE.matcher(context.substring(at + referent.length()));
        if (!m.find()) {
            return Optional.empty();
        }
        // its head phrase: "the viable male infant delivered by cesarean section" names "viable male infant"
        String a = m.group(1).split(HEAD_END, 2)[0].strip();
        // "..., who was admitted", "..., which ...": a relative clause, not a name
        return a.matches("(?i)^(?:who|which|that|whom|whose|where|when|as|and|but|or|is|was|were|are)\\b.*")
                ? Optional.empty() : Optional.of(a);
    }

    /**
     * The referent's head phrase where the note says it word for word; else the referent's words in the
     * note; else without the answer's parenthetical gloss ("AA (Alcoholics
     * Anonymous) meetings"); else, when the answer added to them, its head phrase ("the incisions from ...").
     */
    private static List<Span> groundReferent(Grounder grounder, String named) {
        // "mild delirium on the night of POD#2", "ORIF of the left femur": where the note says the head
        // phrase word for word, that is the referent's name; the rest is what the answer tells about it
        // ("of the" does not end it here: "stenosis of the RCA" is one name)
        String named0 = named.split(CIRCUMSTANCE, 2)[0].strip();
        if (!named0.equals(named) && named0.length() >= 3) {
            List<Span> exact = grounder.locateStrict(named0);
            if (!exact.isEmpty()) {
                return exact;
            }
        }
        List<Span> spans = grounder.locate(named);
        if (!spans.isEmpty()) {
            return spans;
        }
        String unglossed = named.replaceAll("\\s*\\([^()]*\\)", "").strip();
        if (!unglossed.equals(named) && unglossed.length() >= 3) {
            spans = grounder.locate(unglossed);
            if (!spans.isEmpty()) {
                return spans;
            }
            named = unglossed;
        }
        String head = named.split(HEAD_END, 2)[0].strip();
        if (!head.equals(named) && head.length() >= 3) {
            spans = grounder.locate(head);
        }
        return spans;
    }

    public static Optional<CoreferenceChain> parseOne(Grounder grounder, Reply reply, String mention) {
        String text = AnswerText.stripFiller(AnswerText.complete(reply.text(), reply.truncated()));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String first = AnswerText.sentences(AnswerText.stripBullet(AnswerText.lines(text).get(0))).get(0);
        if (AnswerText.saysNothingFound(first)) {
            return Optional.empty();
        }
        Optional<String[]> pair = pairIn(first);
        String referent = pair.map(p -> p[1]).orElseGet(() -> referent(first.replaceFirst(
                "(?i)^(?:it|this|they|he|she|the (?:phrase|pronoun|term) [^ ]+)\\s+(?:is|are|was|refers to)\\s+", ""), mention));
        if (referent.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(chain(grounder, referent, List.of(mention), first));
    }
}
