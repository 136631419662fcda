package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.MatchKind;
import dev.asclepius.tasks.Span;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Aligns text the model wrote to the note, shared by every task. Three tiers, the first that finds
 * anything wins:
 * <ol>
 *   <li>exact and normalized: the phrase and the note are cut into tokens (runs of letters or of
 *       digits, lower-cased; so case, whitespace, punctuation and "500mg" vs "500 mg" do not matter) and
 *       every run of note tokens equal to the phrase's tokens is a match. A match whose note text is the
 *       phrase character for character is {@link MatchKind#EXACT}, otherwise {@link MatchKind#NORMALIZED}.
 *       Offsets come from the note's own tokens, so they are always right for the original text.</li>
 *   <li>fuzzy: windows of the note from one token fewer than the phrase's content words to one token more
 *       than all its words, scored by Dice
 *       similarity over their content tokens (stop words ignored), where two tokens count as equal when
 *       their edit-distance similarity is at least {@value #TOKEN_SIMILARITY} (catches "metformine",
 *       "hypertensive"). Windows scoring at least {@value #FUZZY_THRESHOLD} are kept, best first, without
 *       overlap. Phrases of one token shorter than 4 characters ("he", "CHF") are never fuzzy-matched:
 *       at that length near misses are different words.</li>
 * </ol>
 * Nothing is ever guessed: a phrase not found gets an empty list.
 */
public final class Grounder {
    /** Least Dice score (0..1) of a fuzzy window. */
    public static final double FUZZY_THRESHOLD = 0.75;
    /** Least edit-distance similarity (0..1) for two tokens to count as the same word in fuzzy matching. */
    public static final double TOKEN_SIMILARITY = 0.8;

    private static final Set<String> STOP_WORDS = Set.of("the", "a", "an", "of", "and", "or", "in", "on", "at",
            "to", "for", "with", "by", "s", "patient", "patients", "his", "her", "their", "was", "is", "were", "be");

    private final ClinicalNote note;
    private final List<Token> tokens;

    public record Token(int begin, int end, String norm) {
    }

    public Grounder(ClinicalNote note) {
        this.note = note;
        this.tokens = tokenize(note.text());
    }

    public ClinicalNote note() {
        return note;
    }

    /** The note's tokens, in order (for {@link Widening}). */
    List<Token> tokens() {
        return tokens;
    }

    static boolean isStopWord(String norm) {
        return STOP_WORDS.contains(norm);
    }

    /** Every place the note says {@code phrase}: exact/normalized matches, else fuzzy ones, else none. */
    public List<Span> locate(String phrase) {
        List<Span> found = locateStrict(phrase);
        if (found.isEmpty()) {
            found = locateAbbreviated(phrase);
        }
        return found.isEmpty() ? locateFuzzy(clean(phrase)) : found;
    }

    /**
     * {@link #locate}, else {@link #locateShorter}: for the heads and tails of relations, which the answer
     * often words with a modifier the note lacks ("low ANC", "post-operative pain"). Not for timeline events:
     * an event ("last dose of IV furosemide") is more than the thing it involves.
     */
    public List<Span> locateOrShorter(String phrase) {
        List<Span> found = locate(phrase);
        return found.isEmpty() ? locateShorter(phrase) : found;
    }

    private static final Set<String> PREPOSITIONS = Set.of("of", "in", "on", "at", "to", "for", "with", "by", "after",
            "before", "from", "during", "since", "due", "without", "about", "into", "over", "under", "and", "or");

    /** Words that never ground a phrase on their own: they qualify, they do not name. */
    private static final Set<String> QUALIFIERS = Set.of("acute", "chronic", "severe", "mild", "moderate", "low", "high",
            "left", "right", "bilateral", "new", "old", "prior", "current", "history", "post", "pre", "operative",
            "daily", "dose", "repeat", "initial", "normal", "abnormal", "elevated", "decreased", "increased", "level",
            "levels", "count", "test", "day", "days", "home", "use", "non", "no", "not", "positive", "negative");

    /**
     * The longest tail of the phrase's words that the note says (exact tokens), when the whole phrase is not
     * there: "airway inflammation in asthma exacerbation" at "asthma exacerbation", "low ANC" at "ANC".
     * Only tails: English puts the head noun last, and dropping leading modifiers keeps what the phrase
     * names, where an inner run ("liver" of "elevated liver enzymes") would not. A tail never starts on a
     * stop word nor right after a preposition ("PCI" of "stent thrombosis after PCI" is what the phrase is
     * about, not what it names), and a one-word tail must be a naming word of three letters or more.
     */
    public List<Span> locateShorter(String phrase) {
        List<Token> pt = tokenize(clean(phrase));
        int n = pt.size();
        if (n < 2 || n > 12) {
            return List.of();
        }
        List<String> words = pt.stream().map(Token::norm).toList();
        for (int len = n - 1; len >= 1; len--) {
            for (int from = n - len; from == n - len; from--) {
                String first = words.get(from);
                String last = words.get(from + len - 1);
                if (STOP_WORDS.contains(first) || STOP_WORDS.contains(last) || PREPOSITIONS.contains(words.get(from - 1))
                        || (len == 1 && (first.length() < 3 || QUALIFIERS.contains(first) || Character.isDigit(first.charAt(0))))) {
                    continue;
                }
                if (len > 1 && words.subList(from, from + len).stream().allMatch(w -> QUALIFIERS.contains(w)
                        || STOP_WORDS.contains(w) || Character.isDigit(w.charAt(0)))) {
                    continue;
                }
                List<Span> spans = locateTokensAnyCase(words.subList(from, from + len));
                if (!spans.isEmpty()) {
                    return spans;
                }
            }
        }
        return List.of();
    }

    private List<Span> locateTokensAnyCase(List<String> wanted) {
        List<Span> spans = new ArrayList<>();
        int n = wanted.size();
        for (int i = 0; i + n <= tokens.size(); i++) {
            boolean same = true;
            for (int k = 0; k < n && same; k++) {
                same = tokens.get(i + k).norm().equals(wanted.get(k));
            }
            if (same) {
                spans.add(Span.of(note, tokens.get(i).begin(), tokens.get(i + n - 1).end(), MatchKind.FUZZY));
                i += n - 1;
            }
        }
        return spans;
    }

    /**
     * Common clinical abbreviations that are not the initials of their words; initials ("coronary artery
     * disease" / CAD) need no entry. Used only when the note itself writes the abbreviation in capitals.
     */
    private static final java.util.Map<String, String> NON_INITIAL_ABBREVIATIONS = java.util.Map.of(
            "hypertension", "htn", "hyperlipidemia", "hld", "history", "hx", "fracture", "fx",
            "diagnosis", "dx", "treatment", "tx", "symptoms", "sx", "prescription", "rx", "oxygen", "o2");

    /**
     * The phrase as the note abbreviates it: one run of its words replaced by their initials ("type 2 diabetes
     * mellitus" as "type 2 DM", "obstructive sleep apnea" as "OSA") or one word by its usual abbreviation
     * ("chronic hypertension" as "chronic HTN"), where the note writes that abbreviation in capitals (so
     * "pe" in running text is never "pulmonary embolism"). Exact token matches only; the longest
     * substituted run that the note says wins.
     */
    public List<Span> locateAbbreviated(String phrase) {
        List<Token> pt = tokenize(clean(phrase));
        int n = pt.size();
        if (n == 0 || n > 8) {
            return List.of();
        }
        List<String> words = pt.stream().map(Token::norm).toList();
        for (int len = n; len >= 1; len--) {
            for (int from = 0; from + len <= n; from++) {
                String abbreviation;
                if (len == 1) {
                    abbreviation = NON_INITIAL_ABBREVIATIONS.get(words.get(from));
                    if (abbreviation == null) {
                        continue;
                    }
                } else {
                    StringBuilder initials = new StringBuilder();
                    boolean letters = true;
                    for (int k = from; k < from + len; k++) {
                        String w = words.get(k);
                        letters &= Character.isLetter(w.charAt(0));
                        if (k > from && k < from + len - 1 && (w.equals("and") || w.equals("of"))) {
                            continue; // "open reduction and internal fixation" is ORIF
                        }
                        initials.append(w.charAt(0));
                    }
                    if (!letters || initials.length() < 2) {
                        continue;
                    }
                    abbreviation = initials.toString();
                }
                // "O2" is two tokens; "BPs" is the plural of "BP" ("postpartum blood pressures")
                List<String> abbr = tokenize(abbreviation).stream().map(Token::norm).toList();
                for (String written : List.of(abbreviation, abbreviation + "s")) {
                    List<String> wanted = new ArrayList<>(words.subList(0, from));
                    wanted.addAll(written.equals(abbreviation) ? abbr : List.of(written));
                    wanted.addAll(words.subList(from + len, n));
                    List<Span> spans = locateTokens(wanted, from, written.equals(abbreviation) ? abbr.size() : 1);
                    if (!spans.isEmpty()) {
                        return spans;
                    }
                }
            }
        }
        return List.of();
    }

    /** Runs of note tokens equal to {@code wanted}, where the token at {@code capitalAt} is capitals in the note. */
    private List<Span> locateTokens(List<String> wanted, int capitalAt, int capitalTokens) {
        List<Span> spans = new ArrayList<>();
        String text = note.text();
        int n = wanted.size();
        for (int i = 0; i + n <= tokens.size(); i++) {
            boolean same = true;
            for (int k = 0; k < n && same; k++) {
                same = tokens.get(i + k).norm().equals(wanted.get(k));
            }
            if (!same) {
                continue;
            }
            String found = text.substring(tokens.get(i).begin(), tokens.get(i + n - 1).end());
            if (found.chars().filter(c -> c == '(').count() != found.chars().filter(c -> c == ')').count()) {
                continue; // "(PCI) with a stent" starts inside the note's own gloss: the fuzzy tier aligns the whole
            }
            String written = text.substring(tokens.get(i + capitalAt).begin(), tokens.get(i + capitalAt + capitalTokens - 1).end())
                    .replaceFirst("(?<=[A-Z]{2})s$", "");
            if (written.length() < 2 || !written.chars().filter(Character::isLetter).allMatch(c -> Character.isUpperCase(c) || c == 'x')
                    || !Character.isUpperCase(written.charAt(0))) {
                continue;
            }
            spans.add(Span.of(note, tokens.get(i).begin(), tokens.get(i + n - 1).end(), MatchKind.FUZZY));
            i += n - 1;
        }
        return spans;
    }

    /** Exact and normalized matches only (for long answer sentences, where fuzzy would over-match). */
    public List<Span> locateStrict(String phrase) {
        String p = clean(phrase);
        List<Token> pt = tokenize(p);
        List<Span> spans = new ArrayList<>();
        if (pt.isEmpty()) {
            return spans;
        }
        String text = note.text();
        int n = pt.size();
        for (int i = 0; i + n <= tokens.size(); i++) {
            if (!sameTokens(pt, i)) {
                continue;
            }
            int begin = tokens.get(i).begin();
            if (text.startsWith(p, begin)) {
                spans.add(Span.of(note, begin, begin + p.length(), MatchKind.EXACT));
            } else {
                int end = tokens.get(i + n - 1).end();
                spans.add(Span.of(note, begin, end, text.substring(begin, end).equals(p)
                        ? MatchKind.EXACT : MatchKind.NORMALIZED));
            }
            i += n - 1;
        }
        return spans;
    }

    private boolean sameTokens(List<Token> pt, int at) {
        for (int k = 0; k < pt.size(); k++) {
            if (!tokens.get(at + k).norm().equals(pt.get(k).norm())) {
                return false;
            }
        }
        return true;
    }

    private List<Span> locateFuzzy(String phrase) {
        List<String> all = tokenize(phrase).stream().map(Token::norm).toList();
        List<String> content = all.stream().filter(t -> !STOP_WORDS.contains(t)).toList();
        if (content.isEmpty() || (all.size() == 1 && all.get(0).length() < 4)) {
            return List.of();
        }
        record Window(int from, int to, double score) {
        }
        // similar[i][k]: note token i matches content word k; computed once per phrase so windows only
        // compare booleans (edit distances are the expensive part on long notes)
        boolean[][] similar = new boolean[tokens.size()][];
        boolean[] any = new boolean[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i).norm();
            if (STOP_WORDS.contains(t)) {
                continue;
            }
            similar[i] = new boolean[content.size()];
            for (int k = 0; k < content.size(); k++) {
                similar[i][k] = similar(t, content.get(k));
                any[i] |= similar[i][k];
            }
        }
        List<Window> candidates = new ArrayList<>();
        int n = all.size();
        for (int i = 0; i < tokens.size(); i++) {
            if (similar[i] == null || !any[i]) {
                continue; // a best window starts on a matching word
            }
            for (int len = Math.max(1, content.size() - 1); len <= n + 1 && i + len <= tokens.size(); len++) {
                if (similar[i + len - 1] == null) {
                    continue;
                }
                List<boolean[]> window = new ArrayList<>();
                for (int k = i; k < i + len; k++) {
                    if (similar[k] != null) {
                        window.add(similar[k]);
                    }
                }
                double score = 2.0 * fuzzyLcs(content.size(), window) / (content.size() + window.size());
                if (score >= FUZZY_THRESHOLD) {
                    candidates.add(new Window(i, i + len, score));
                }
            }
        }
        candidates.sort(Comparator.comparingDouble(Window::score).reversed()
                .thenComparingInt(w -> w.to() - w.from()).thenComparingInt(Window::from));
        boolean[] taken = new boolean[tokens.size()];
        List<Span> spans = new ArrayList<>();
        for (Window w : candidates) {
            boolean free = true;
            for (int k = w.from(); k < w.to(); k++) {
                free &= !taken[k];
            }
            if (free) {
                for (int k = w.from(); k < w.to(); k++) {
                    taken[k] = true;
                }
                spans.add(Span.of(note, tokens.get(w.from()).begin(), tokens.get(w.to() - 1).end(), MatchKind.FUZZY));
            }
        }
        spans.sort(Comparator.comparingInt(Span::begin));
        return spans;
    }

    /** Longest common subsequence of the phrase's content words and a window, given word similarities. */
    private static int fuzzyLcs(int phraseWords, List<boolean[]> window) {
        int[][] dp = new int[phraseWords + 1][window.size() + 1];
        for (int i = 1; i <= phraseWords; i++) {
            for (int j = 1; j <= window.size(); j++) {
                dp[i][j] = window.get(j - 1)[i - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
            }
        }
        return dp[phraseWords][window.size()];
    }

    static boolean similar(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        if (a.length() < 4 || b.length() < 4 || Character.isDigit(a.charAt(0)) || Character.isDigit(b.charAt(0))) {
            return false; // short words and numbers must match exactly: "10 mg" is not "100 mg"
        }
        return 1.0 - (double) levenshtein(a, b) / Math.max(a.length(), b.length()) >= TOKEN_SIMILARITY;
    }

    private static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Trims whitespace, wrapping quotes and trailing sentence punctuation the model adds around items. */
    static String clean(String phrase) {
        String p = phrase.strip();
        p = p.replaceAll("^[\"'“”‘’`*]+|[\"'“”‘’`*]+$", "").strip();
        p = p.replaceAll("[.,;:!?]+$", "").strip();
        return p;
    }

    /** Runs of letters or of digits, lower-cased, with their offsets. */
    public static List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (!Character.isLetterOrDigit(c)) {
                i++;
                continue;
            }
            boolean digit = Character.isDigit(c);
            int j = i + 1;
            while (j < s.length() && Character.isLetterOrDigit(s.charAt(j)) && Character.isDigit(s.charAt(j)) == digit) {
                j++;
            }
            out.add(new Token(i, j, s.substring(i, j).toLowerCase(Locale.ROOT)));
            i = j;
        }
        return out;
    }
}
