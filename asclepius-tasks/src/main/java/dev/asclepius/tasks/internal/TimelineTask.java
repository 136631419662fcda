package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.Grounding;
import dev.asclepius.tasks.Span;
import dev.asclepius.tasks.Task;
import dev.asclepius.tasks.Timeline;
import dev.asclepius.tasks.TimelineEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Temporal information: every date, duration and relative day, each with the event it belongs to. */
public final class TimelineTask implements TaskSpec<Timeline> {

    public static final String QUESTION = "Can you identify all the dates, durations and other temporal references "
            + "in the discharge summary, such as the admission, procedures, medication administration and follow-up "
            + "appointments? Please list each one on its own line with the event it refers to.";

    private static final Pattern SEPARATOR = Pattern.compile("^(.+?)(?::\\s+|\\s+[-–—]\\s+|\\s*->\\s*)(.+)$");
    private static final Pattern LEADING = Pattern.compile("(?i)^(?:[,;:.()\\s-]+|(?:and|then|on|at|in|by|from|to|through|till|for|"
            + "until|since|of|was|were|is|are|had|has|been|who|which|during|after|starting|dated|the patient|patient|"
            + "he|she|they|within|that|his|her|their|it|should|will|would|also|only|approximately|around|roughly|it only (?:states|notes|mentions) that|"
            + "(?:it|the summary|the note) (?:only )?(?:states|notes|mentions|says|documents) that)\\b)\\s*");
    private static final Pattern TRAILING = Pattern.compile("(?i)\\s*(?:[,;:.()\\s-]+|\\b(?:and|then|on|at|in|by|to|through|till|"
            + "from|for|until|since|of|was|were|is|starting|dated|after|within|lasting|lasted)|\\b(?:which|that) (?:lasted|was))$");

    @Override
    public Task task() {
        return Task.TIMELINE;
    }

    @Override
    public List<String> instructions() {
        return List.of(QUESTION);
    }

    @Override
    public Timeline parse(Grounder grounder, List<Reply> replies) {
        List<TimelineEvent> events = new ArrayList<>();
        for (Reply r : replies) {
            for (TimelineEvent e : ((Timeline) AnswerParsers.parse(Task.TIMELINE, grounder, QUESTION, r)).events()) {
                events.add(new TimelineEvent(events.size() + 1, e.event(), e.timeExpression(), e.normalized(),
                        e.eventSpans(), e.timeSpans()));
            }
        }
        return new Timeline(events);
    }

    public static Timeline parseAnswer(Grounder grounder, Reply reply) {
        List<TimelineEvent> events = new ArrayList<>();
        parseInto(grounder, reply, events);
        return new Timeline(events);
    }

    private static void parseInto(Grounder grounder, Reply reply, List<TimelineEvent> events) {
        String text = AnswerText.complete(reply.text(), reply.truncated());
        for (String raw : AnswerText.lines(text)) {
            String line = AnswerText.stripBullet(raw);
            if (AnswerText.isPreamble(line) || AnswerText.isNothingLine(line)) {
                continue;
            }
            Matcher sep = SEPARATOR.matcher(line);
            if (sep.matches()) {
                List<TimeExpressions.Found> left = TimeExpressions.find(sep.group(1));
                List<TimeExpressions.Found> right = TimeExpressions.find(sep.group(2));
                if (!left.isEmpty() && !right.isEmpty() && timeOnly(sep.group(2), right)) {
                    // "Gestational age at admission: 34 weeks 2 days": the side that is only a time is the time
                    String event = clean(sep.group(1));
                    for (TimeExpressions.Found f : right) {
                        add(events, grounder, event, f, sep.group(2));
                    }
                    continue;
                }
                if (left.isEmpty() != right.isEmpty()) {
                    // "Admission: 03/14/2019" or "03/14/2019 - Admitted with chest pain"
                    String eventSide = left.isEmpty() ? sep.group(1) : sep.group(2);
                    List<String> several = severalEvents(eventSide);
                    if (several.size() > 1 && eventSide.matches("(?s).*(?:;|,\\s+\\w+\\s+(?:was|were)\\b).*")) {
                        // "POD#1: hemoglobin dropped ...; enoxaparin was started; physical therapy began"
                        for (TimeExpressions.Found f : left.isEmpty() ? right : left) {
                            for (String e : several) {
                                add(events, grounder, e, f, left.isEmpty() ? sep.group(2) : sep.group(1));
                            }
                        }
                        continue;
                    }
                    String event = clean(eventSide);
                    for (TimeExpressions.Found f : left.isEmpty() ? right : left) {
                        add(events, grounder, event, f, left.isEmpty() ? sep.group(2) : sep.group(1));
                    }
                    continue;
                }
            }
            for (String sentence : AnswerText.sentences(line)) {
                parseSentence(events, grounder, sentence);
            }
        }
    }

    /** The side holds times and connectors only ("08/09 and 08/10", "in 3 months"). */
    private static boolean timeOnly(String side, List<TimeExpressions.Found> found) {
        StringBuilder rest = new StringBuilder();
        int at = 0;
        for (TimeExpressions.Found f : found) {
            rest.append(side, at, f.start()).append(' ');
            at = f.end();
        }
        rest.append(side.substring(at));
        return rest.toString().replaceAll("(?i)\\b(?:and|or|to|then|on|at|in|for|within|from|until|after|by|since|the|of|approximately|about)\\b|[^A-Za-z]", "")
                .isBlank();
    }

    /** Each time expression takes the words before it, or, when there are none, the words after it. */
    private static void parseSentence(List<TimelineEvent> events, Grounder grounder, String sentence) {
        List<TimeExpressions.Found> found = TimeExpressions.find(sentence);
        int consumed = 0;
        String previous = "";
        for (int i = 0; i < found.size(); i++) {
            TimeExpressions.Found f = found.get(i);
            if (i > 0 && sentence.substring(found.get(i - 1).end(), f.start()).matches("(?i)\\s*,?\\s*(?:on|or|i\\.e\\.,?)?\\s*")) {
                continue; // "the next day, on postoperative day 1": the same time said twice
            }
            int nextStart = i + 1 < found.size() ? found.get(i + 1).start() : sentence.length();
            if (i > 0 && STAY.matcher(previous).find()
                    && sentence.substring(found.get(i - 1).end(), f.start()).matches("(?i)\\s*(?:to|through|until|till|-|–)\\s*")
                    && sentence.substring(0, found.get(i - 1).start()).matches("(?is).*\\bfrom\\s*$")) {
                // "hospitalized from 03/14/2019 to March 19, 2019": the end of the stay is the discharge (not "the
                // stay was 6 days, from 03/14 to 03/20", where the stay is the event of both dates)
                consumed = f.end();
                // the answer does not say "discharge": the event is inferred, so it is not grounded
                events.add(new TimelineEvent(events.size() + 1, "discharge", f.text(), f.normalized(), List.of(),
                        groundTime(grounder, f.text())));
                continue;
            }
            if (i > 0 && !previous.isEmpty()
                    && sentence.substring(found.get(i - 1).end(), f.start()).matches("(?i)\\s*(?:,\\s*)?(?:and|or|&)\\s*")) {
                // "betamethasone was given on 08/09 and 08/10": both dates are the same event's
                consumed = f.end();
                add(events, grounder, previous, f, sentence);
                continue;
            }
            // "Her symptoms (nausea, vomiting ...) started": a parenthesis is not the event's clause
            String beforeText = sentence.substring(Math.min(consumed, f.start()), f.start()).replaceAll("\\s*\\([^()]*\\)", "");
            String before = clean(lastClause(beforeText));
            if (PARTICIPLE.matcher(before).matches() || (before.isEmpty()
                    && QUALIFIER.matcher(lastClause(beforeText)).matches())) {
                // "the ORIF of the left femur fracture, performed on 11/03/2022": the participle names the clause
                // before; so does a lone qualifier ("the end of the infusion at approximately midnight, around 0000")
                String two = clean(lastClause(lastClauseBefore(beforeText)));
                if (!two.isEmpty()) {
                    before = two;
                }
            }
            String after = clean(firstClause(sentence.substring(f.end(), nextStart)));
            String event;
            if (before.isEmpty()) {
                // "On POD#1 she received a transfusion, enoxaparin was started and physical therapy began": one
                // time, several events
                List<String> several = severalEvents(sentence.substring(f.end(), nextStart));
                if (several.size() > 1) {
                    for (String e : several) {
                        add(events, grounder, e, f, sentence);
                    }
                    consumed = nextStart;
                    previous = several.get(several.size() - 1);
                    continue;
                }
                event = after;
                consumed = nextStart;
            } else if (i == found.size() - 1 && !after.isEmpty()
                    && !ADJUNCT.matcher(sentence.substring(f.end(), nextStart)).lookingAt()) {
                // "Oxygen was discontinued on hospital day 3, once ...": words after a comma are another clause
                event = before + " " + after;
                consumed = nextStart;
            } else {
                event = before;
                consumed = f.end();
            }
            if (event.isEmpty()) {
                event = previous; // "the stay was 6 days, from 03/14 to 03/20": the range belongs to the stay
            }
            previous = event;
            add(events, grounder, event, f, sentence);
        }
    }

    private static final Pattern STAY = Pattern.compile("(?i)\\b(?:hospitali[sz]ed|admitted)\\b");

    /** Words after a time that are another clause or an adjunct, not the event's words. */
    private static final Pattern ADJUNCT = Pattern.compile("(?i)\\s*(?:[,;]|(?:with|under|in order to)\\b|to\\s+(?:re)?(?:check|assess|monitor|"
            + "evaluate|review|discuss|confirm|titrate|establish|measure|draw)\\b)");
    /** A bare participle ("performed", "given"), which stands for the clause before it. */
    private static final Pattern PARTICIPLE = Pattern.compile("(?i)(?:performed|done|given|placed|started|administered|completed|obtained|carried out)");

    private static final Pattern QUALIFIER = Pattern.compile("(?i)\\s*(?:approximately|around|about|roughly|nearly|i\\.e\\.,?)\\s*");

    private static final Pattern CLAUSE_BREAK = Pattern.compile("(?i),\\s+(?:and\\s+|but\\s+|when\\s+|which\\s+|where\\s+)?|;\\s+|"
            + "\\s+(?:and|but)\\s+(?=(?:was|were|is|had|has|then|he|she|they|that|the patient|his|her|it)\\b)|"
            + "\\s+(?:when|once|while|because|as|until|so that|after which)\\s+");

    private static List<String> severalEvents(String text) {
        List<String> out = new ArrayList<>();
        for (String part : text.split("(?i);\\s+|,\\s+(?:and\\s+)?|\\s+and\\s+(?=(?:she|he|they)\\s|\\w+(?:\\s+\\w+)?\\s+(?:was|were|began|started|"
                + "resumed|improved|resolved|developed|received|had)\\b)")) {
            String e = clean(part);
            if (e.split("\\s+").length >= 2) {
                out.add(e);
            }
        }
        return out;
    }

    /** The last clause of the words before a time: "..., and was discharged" -> "was discharged". */
    private static String lastClause(String s) {
        Matcher m = CLAUSE_BREAK.matcher(s);
        int start = 0;
        while (m.find()) {
            if (m.end() < s.length() && !s.substring(m.end()).isBlank()) {
                start = m.end();
            }
        }
        return s.substring(start);
    }

    /** The words before the last clause break: "the ORIF, performed " -> "the ORIF". */
    private static String lastClauseBefore(String s) {
        Matcher m = CLAUSE_BREAK.matcher(s);
        int start = -1;
        while (m.find()) {
            if (m.end() < s.length() && !s.substring(m.end()).isBlank()) {
                start = m.start();
            }
        }
        return start < 0 ? "" : s.substring(0, start);
    }

    /** The first clause of the words after a time: "... once his saturations remained above 94%" stops at "once". */
    private static String firstClause(String s) {
        Matcher m = CLAUSE_BREAK.matcher(s);
        while (m.find()) {
            if (m.start() > 0 && !s.substring(0, m.start()).isBlank()) {
                return s.substring(0, m.start());
            }
        }
        return s;
    }

    static String clean(String s) {
        String t = s.strip();
        String prev;
        do {
            prev = t;
            t = LEADING.matcher(t).replaceFirst("");
            t = TRAILING.matcher(t).replaceFirst("");
            t = t.strip();
        } while (!t.equals(prev));
        return AnswerText.tidy(t);
    }

    /** Words that belong to a time said before it: a part of the day, an ordinal, "of". */
    private static final java.util.Set<String> TIME_WORDS = java.util.Set.of("morning", "afternoon", "evening", "night",
            "midnight", "noon", "early", "late", "first", "last", "second", "third", "final", "of", "the");

    /** {@code source}: the answer text the time was found in, at {@code f}'s offsets. */
    private static void add(List<TimelineEvent> events, Grounder grounder, String event, TimeExpressions.Found f, String source) {
        // "14 days of antibiotics", "after 24 hours of seizure prophylaxis": an amount of a treatment; the
        // treatment is the event and the bare amount its time ("within 6 hours of treatment" is anchored: whole)
        Matcher of = AMOUNT_OF.matcher(f.text());
        String next = f.end() <= source.length() ? source.substring(f.end()) : "";
        Matcher ofNext = OF_THING.matcher(next);
        // only where the amount opens its clause: in "a repeat ABG after 6 hours of BiPAP" the ABG is the event
        String lead = f.start() <= source.length() ? source.substring(0, f.start()) : "";
        boolean opens = event.isEmpty() || lead.matches("(?is)(?:.*[,;(]\\s*|.*\\btotal of\\s+)");
        if (!opens) {
            of = AMOUNT_OF.matcher("");
            ofNext = OF_THING.matcher("");
        }
        if (of.matches() && !ANCHOR.matcher(of.group(2)).lookingAt()) {
            event = clean(of.group(2));
            f = new TimeExpressions.Found(f.start() + of.start(1), f.start() + of.end(1), of.group(1), f.normalized());
        } else if (ofNext.lookingAt() && !ANCHOR.matcher(ofNext.group(1)).lookingAt()
                && (of = AMOUNT_OF.matcher(f.text() + " of x")).matches()) {
            f = new TimeExpressions.Found(f.start() + of.start(1), f.start() + of.end(1), of.group(1), f.normalized());
        }
        // Times are matched exactly or normalized only: a fuzzily matched date is a different date. A time the
        // note says with the answer's words before it ("the morning of November 2, 2022") is grounded with them.
        List<Span> time = groundTime(grounder, f.text());
        if (f.start() <= source.length()) {
            time = Widening.widen(grounder, time, source.substring(0, f.start()), "", w -> TIME_WORDS.contains(w));
        }
        events.add(new TimelineEvent(events.size() + 1, event, f.text(), f.normalized(),
                event.isEmpty() ? List.of() : grounder.locate(event), time));
    }

    private static final Pattern AMOUNT_OF = Pattern.compile("(?i)^(?:(?:after|for|over|with|a total of|total of)\\s+)?"
            + "(\\d+(?:-\\d+)?[- ](?:hours?|days?|weeks?|months?|doses?|cycles?))\\s+of\\s+(\\S.*)$");
    private static final Pattern OF_THING = Pattern.compile("(?i)\\s+of\\s+([a-z][\\w-]*(?:\\s+[a-z][\\w-]*){0,2})(?=\\s*(?:[,.;:)]|$))");
    /** What a time is counted from ("of arrival", "of treatment"), not a thing given for that long. */
    private static final Pattern ANCHOR = Pattern.compile("(?i)(?:admission|arrival|treatment|therapy|surgery|delivery|birth|onset|"
            + "presentation|discharge|symptoms?|life|age|gestation|pregnancy|the|his|her|their|this|that|each|every|\\w+ing|"
            + "hospitali[sz]ation|stay|illness|diagnosis|transfer|extubation|intubation)\\b");

    private static final Pattern TIME_LEAD = Pattern.compile("(?i)^(?:in|within|for|over|after|at|by|x|until|through|since|till|"
            + "from|the week of|(?:the\\s+)?(?:first|last|past|next|following)|roughly|about|approximately|around|nearly|almost)\\s+");
    private static final Pattern TIME_ANCHOR = Pattern.compile("(?i)\\s+(?:later|ago|thereafter|afterwards?|post-?operatively|postpartum|"
            + "post-?op|(?:after|before|prior to|following|of|into|post)\\s+.*)$|,?\\s+(?:at\\s+)?(?:\\d{1,2}:\\d{2}(?:\\s*[ap]\\.?m\\.?)?|"
            + "[0-2]\\d[0-5]\\d(?:\\s*(?:hours|hrs))?)$|^(?:\\d{1,2}:\\d{2}(?:\\s*[ap]\\.?m\\.?)?|[0-2]\\d[0-5]\\d)\\s+(?:on\\s+)?");

    /**
     * Where the note says the time: the expression as written; when the note does not say it so, the
     * expression without its anchor ("approximately 36 hours" of "approximately 36 hours before presentation"),
     * then without the preposition or qualifier the answer added ("until January 26, 2020"), else its core
     * ("3 days" of "3 days before admission"). Matched exactly or normalized only.
     */
    static List<Span> groundTime(Grounder grounder, String time) {
        java.util.LinkedHashSet<Span> out = new java.util.LinkedHashSet<>(grounder.locateStrict(time));
        // the longest wording the note has: the anchor goes before the qualifier ("approximately 36 hours" of
        // "approximately 36 hours before presentation"), then each lead word, then the anchor again
        List<String> tries = new ArrayList<>();
        tries.add(TIME_ANCHOR.matcher(time).replaceFirst(""));
        String bare = time;
        String prev;
        do {
            prev = bare;
            bare = TIME_LEAD.matcher(bare).replaceFirst("");
            tries.add(bare);
        } while (!bare.equals(prev));
        tries.add(TIME_ANCHOR.matcher(bare).replaceFirst(""));
        for (String t : tries) {
            if (!out.isEmpty()) {
                break;
            }
            // a bare unit ("day" of "the next day") is no time: grounding it would point at any "day"
            if (!t.equals(time) && !t.isBlank() && !t.matches("(?i)(?:minutes?|hours?|days?|nights?|weeks?|months?|years?|morning|evening)")) {
                out.addAll(grounder.locateStrict(t));
            }
        }
        List<Span> sorted = new ArrayList<>(out);
        sorted.sort(java.util.Comparator.comparingInt(Span::begin).thenComparingInt(Span::end));
        return sorted;
    }

    @Override
    public Grounding grounding(Timeline value) {
        List<List<Span>> items = new ArrayList<>();
        for (TimelineEvent e : value.events()) {
            items.add(e.timeSpans());
            if (!e.event().isEmpty()) {
                items.add(e.eventSpans());
            }
        }
        return Grounding.of(items);
    }
}
