package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.NormalizedTime;
import java.time.LocalDate;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds time expressions in answer text and normalizes the ones it can (dates, durations, relative days). */
public final class TimeExpressions {
    private TimeExpressions() {
    }

    /** A time expression found in a text. */
    public record Found(int start, int end, String text, Optional<NormalizedTime> normalized) {
    }

    private static final String MONTH = "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
            + "aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?";
    private static final String NUMBER = "(?:\\d+(?:\\.\\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
            + "fourteen|several|few)"; // not "a": "twice a day" is a frequency
    private static final String CLOCK = "(?:\\d{1,2}:\\d{2}(?:\\s*[ap]\\.?m\\b\\.?)?|\\d{1,2}\\s*[ap]\\.?m\\b\\.?|[0-2]\\d[0-5]\\d(?:\\s*(?:hours|hrs|h)\\b)?)";
    private static final String TIME_OF_DAY = "(?:,?\\s*(?:at\\s+)?(?:\\d{1,2}:\\d{2}(?:\\s*[ap]\\.?m\\b\\.?)?|[0-2]\\d[0-5]\\d\\b(?!\\s*(?:mg|ml|units))))?";
    private static final String UNIT = "(?:hours?|hrs?|days?|weeks?|wks?|months?|years?|minutes?|mins?)";
    private static final String AFTER = "(?:\\s+(?:later|ago|post-?operatively|postpartum|post-?op|thereafter|afterwards?|"
            + "(?:after|before|prior to|following|of|into|post)\\s+(?:the\\s+)?(?:surgery|admission|discharge|delivery|procedure|operation|"
            + "contrast(?: exposure)?|birth|presentation|arrival|PCI|catheterization|extubation|symptom onset|onset|the \\w+|\\w+ exposure|"
            + "(?!a\\b|an\\b|his\\b|her\\b|which\\b|that\\b|being\\b)[A-Za-z][A-Za-z-]{1,14}\\b(?=\\s*(?:[,.;:)]|$|\\s(?:and|when|with|while|on|at|in)\\b))))|"
            + "\\s+(?:after|prior|before|post-?operatively)(?=\\s*(?:[,.;:)]|$)))?";
    private static final Pattern ANY = Pattern.compile("(?i)"
            + "(?<iso>\\b(?:(?:until|through|since|till)\\s+)?\\d{4}-\\d{2}-\\d{2}" + TIME_OF_DAY + ")"
            + "|(?<us>\\b(?:(?:until|through|since|till)\\s+)?\\d{1,2}/\\d{1,2}/\\d{2,4}\\b" + TIME_OF_DAY + ")"
            + "|(?<mdy>\\b(?:(?:until|through|since|till)\\s+)?(?:the week of\\s+)?" + MONTH + "\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{4})?\\b" + TIME_OF_DAY + ")"
            + "|(?<dmy>\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?" + MONTH + "(?:,?\\s+\\d{4})?\\b" + TIME_OF_DAY + ")"
            + "|(?<my>\\b" + MONTH + "\\s+\\d{4}\\b|(?<![\\d/])\\b(?:0?[1-9]|1[0-2])/(?:19|20)\\d{2}\\b(?![/\\d]))" // "07/2020"
            + "|(?<md>(?<![\\d/.])\\b(?:0?[1-9]|[12]\\d|3[01])/(?:0?[1-9]|[12]\\d|3[01])\\b(?![/\\d]))"
            + "|(?<rel>\\b(?:hospital day|HD|post-?operative day|postop(?:erative)? day|POD|post-?partum day|PPD|day)\\s*#?\\s*(?<relnum>\\d+)\\b"
            + "(?:\\s+of\\s+(?:admission|hospitalization|(?:the\\s+)?hospital stay))?)"
            + "|(?<dur>(?<!\\bevery\\s)(?<!\\bq)(?<!\\beach\\s)\\b(?:(?:in|within|for|over|after|at|by|x)\\s+)?(?:the\\s+(?:first|last|past|next|following)\\s+)?(?:(?:roughly|about|approximately|around|nearly|almost|over|at least|up to)\\s+)?" + NUMBER
            + "(?:\\s*(?:-|to)\\s*" + NUMBER + ")?(?:\\s*-\\s*|\\s+)(?<unit>" + UNIT + ")(?:,?\\s+(?:and\\s+)?\\d+\\s+" + UNIT + ")?"
            + AFTER + "\\b)"
            + "|(?<clock>(?<=\\bat\\s)" + CLOCK + "|\\b\\d{1,2}:\\d{2}(?:\\s*[ap]\\.?m\\b\\.?)?|\\b\\d{1,2}\\s*[ap]\\.m\\.|\\b\\d{1,2}\\s*[ap]m\\b"
            + "|\\b[0-2]\\d[0-5]\\d\\s*(?:hours|hrs)\\b|\\b[0-2]\\d[0-5]\\d(?=\\s+on\\b)|(?<=:\\s)[0-2]\\d[0-5]\\d\\b(?![/.\\d]))"
            + "|(?<year>(?:(?<=:\\s)|(?<=\\bin\\s)|(?<=\\bsince\\s)|(?<=\\bfrom\\s)|(?<=\\buntil\\s)|(?<=\\bin\\s(?:early|late|mid)\\s)|(?<=\\())"
            + "(?:19|20)\\d{2}\\b)"
            + "|(?<named>\\b(?:on admission|at admission|upon admission|at discharge|on discharge|upon discharge|"
            + "the (?:next|following) day|(?:next|the following) (?:week|month|year)|the day of (?:admission|discharge|surgery)|"
            + "(?:the\\s+)?(?:prior|previous|preceding|same|next|following)\\s+(?:evening|morning|night|afternoon|day)|"
            + "(?:that|this)\\s+(?:evening|morning|night|afternoon)|overnight|later that day|"
            + "(?:since\\s+)?the (?:morning|evening|night|afternoon) (?:of|before|after) (?:admission|discharge|surgery|delivery)|"
            + "(?:yesterday|today|tomorrow)|(?:after|at|before) (?:midnight|noon|bedtime)|(?:since|at|from) age \\d+)\\b)");

    private static final Pattern MONTH_DAY_YEAR = Pattern.compile("(?i)^(" + MONTH + ")\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(\\d{4}))?");
    private static final Pattern DAY_MONTH_YEAR = Pattern.compile("(?i)^(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(" + MONTH + ")(?:,?\\s+(\\d{4}))?");

    private static final Map<String, Integer> WORDS = Map.ofEntries(Map.entry("one", 1), Map.entry("two", 2),
            Map.entry("three", 3), Map.entry("four", 4), Map.entry("five", 5), Map.entry("six", 6),
            Map.entry("seven", 7), Map.entry("eight", 8), Map.entry("nine", 9), Map.entry("ten", 10),
            Map.entry("eleven", 11), Map.entry("twelve", 12), Map.entry("fourteen", 14));

    public static List<Found> find(String text) {
        List<Found> raw = new ArrayList<>();
        Matcher m = ANY.matcher(text);
        while (m.find()) {
            int end = m.end();
            String t = m.group();
            if (t.endsWith(".") && !t.matches("(?i).*[ap]\\.m\\.$")) {
                t = t.substring(0, t.length() - 1);
                end--;
            }
            raw.add(new Found(m.start(), end, t, m.group("clock") != null ? Optional.empty() : normalize(m)));
        }
        List<Found> out = new ArrayList<>();
        for (Found f : raw) {
            if (!out.isEmpty()) {
                Found prev = out.get(out.size() - 1);
                String gap = text.substring(prev.end(), f.start());
                // "(POD#1)" right after "postoperative day 1" names the same time again
                // ("June 5, 2021 (POD#1)", "2200 on 08/04/2023 (26 hours after admission)" say it another way: both kept)
                if (gap.matches("\\s*\\(\\s*") && text.startsWith(")", f.end()) && sameKind(prev, f)) {
                    continue;
                }
                // "0630 on March 14, 2019", "March 14 at 0800": a clock time belongs to its date
                boolean clock = (isClock(prev) && isDate(f)) || (isDate(prev) && isClock(f));
                if (clock && gap.matches("\\s*,?\\s*(?:on|at|@)?\\s*")) {
                    Optional<NormalizedTime> n = isClock(prev) ? f.normalized() : prev.normalized();
                    out.set(out.size() - 1, new Found(prev.start(), f.end(), text.substring(prev.start(), f.end()), n));
                    continue;
                }
            }
            out.add(f);
        }
        return out;
    }

    private static boolean sameKind(Found a, Found b) {
        return a.normalized().map(NormalizedTime::kind).equals(b.normalized().map(NormalizedTime::kind));
    }

    private static boolean isDate(Found f) {
        return f.normalized().map(n -> n.kind() != NormalizedTime.Kind.DURATION).orElse(false)
                || f.text().matches("(?i)\\d{1,2}/\\d{1,2}|.*\\b" + MONTH + "\\s+\\d{1,2}.*");
    }

    private static boolean isClock(Found f) {
        return f.text().matches("(?i)(?:at\\s+)?" + CLOCK);
    }

    private static Optional<NormalizedTime> normalize(Matcher m) {
        try {
            if (m.group("iso") != null) {
                String iso = m.group("iso").replaceFirst("(?i)^(?:until|through|since|till)\\s+", "");
                return date(LocalDate.parse(iso.substring(0, 10)));
            }
            if (m.group("us") != null) {
                String[] p = m.group("us").replaceFirst("(?i)^(?:until|through|since|till)\\s+", "").replaceAll("[^0-9/].*$", "").split("/");
                return date(LocalDate.of(year(p[2]), Integer.parseInt(p[0]), Integer.parseInt(p[1])));
            }
            if (m.group("mdy") != null) {
                Matcher d = MONTH_DAY_YEAR.matcher(m.group("mdy").replaceFirst("(?i)^(?:until|through|since|till)\\s+", "")
                        .replaceFirst("(?i)^the week of\\s+", ""));
                if (d.find() && d.group(3) != null) {
                    return date(LocalDate.of(Integer.parseInt(d.group(3)), month(d.group(1)), Integer.parseInt(d.group(2))));
                }
                return Optional.empty(); // no year: not a full date
            }
            if (m.group("dmy") != null) {
                Matcher d = DAY_MONTH_YEAR.matcher(m.group("dmy"));
                if (d.find() && d.group(3) != null) {
                    return date(LocalDate.of(Integer.parseInt(d.group(3)), month(d.group(2)), Integer.parseInt(d.group(1))));
                }
                return Optional.empty();
            }
            if (m.group("md") != null || m.group("year") != null) {
                return Optional.empty(); // no year, or a year alone: not a full date
            }
            if (m.group("my") != null) {
                String[] p = m.group("my").split("\\s+");
                if (p.length == 1) {
                    String[] n = p[0].split("/");
                    return Optional.of(new NormalizedTime(NormalizedTime.Kind.DATE,
                            String.format(Locale.ROOT, "%04d-%02d", Integer.parseInt(n[1]), Integer.parseInt(n[0]))));
                }
                return Optional.of(new NormalizedTime(NormalizedTime.Kind.DATE,
                        String.format(Locale.ROOT, "%04d-%02d", Integer.parseInt(p[1]), month(p[0]))));
            }
            if (m.group("rel") != null) {
                String r = m.group("rel").toLowerCase(Locale.ROOT);
                String kind = r.startsWith("h") || r.startsWith("day") ? "hospital-day"
                        : r.startsWith("ppd") || r.contains("partum") ? "postpartum-day" : "post-operative-day";
                return Optional.of(new NormalizedTime(NormalizedTime.Kind.RELATIVE_DAY, kind + ":" + Integer.parseInt(m.group("relnum"))));
            }
            if (m.group("dur") != null) {
                String d = m.group("dur").toLowerCase(Locale.ROOT).replaceFirst("^(?:in|within|for|over|after|at|by|x)\\s+", "")
                        .replaceFirst("^(?:roughly|about|approximately|around|nearly|almost|over|at least|up to)\\s+", "");
                if (d.matches("^\\S+\\s*(?:-|to)\\s*\\d.*") || d.matches(".*" + UNIT + ",?\\s+(?:and\\s+)?\\d+\\s+" + UNIT + ".*")) {
                    return Optional.empty(); // a range ("2-3 days") or two units ("34 weeks 2 days") is not one duration
                }
                String n = d.split("[\\s-]+")[0];
                Integer count = n.matches("\\d+") ? Integer.valueOf(n) : WORDS.get(n);
                if (count == null) {
                    return Optional.empty(); // "several days"
                }
                String unit = m.group("unit").toLowerCase(Locale.ROOT);
                if (unit.startsWith("mi")) {
                    return Optional.of(new NormalizedTime(NormalizedTime.Kind.DURATION, "PT" + count + "M"));
                }
                String iso = unit.startsWith("h") ? "PT" + count + "H"
                        : "P" + count + (unit.startsWith("d") ? "D" : unit.startsWith("w") ? "W" : unit.startsWith("m") ? "M" : "Y");
                return Optional.of(new NormalizedTime(NormalizedTime.Kind.DURATION, iso));
            }
        } catch (DateTimeException | NumberFormatException e) {
            return Optional.empty(); // "13/45/2019": written like a date but not one
        }
        return Optional.empty();
    }

    private static Optional<NormalizedTime> date(LocalDate d) {
        return Optional.of(new NormalizedTime(NormalizedTime.Kind.DATE, d.toString()));
    }

    private static int year(String y) {
        int v = Integer.parseInt(y);
        return y.length() == 2 ? (v < 50 ? 2000 + v : 1900 + v) : v;
    }

    private static int month(String name) {
        String n = name.toLowerCase(Locale.ROOT).substring(0, 3);
        return List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec").indexOf(n) + 1;
    }
}
