package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.MatchKind;
import dev.asclepius.tasks.Span;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Widens spans in the note over the words the answer wrote around the grounded phrase: where the parser cut
 * a qualifier off an item's name ("preeclampsia" of "preeclampsia with severe features", "KCl" of "IV KCl",
 * "November 2, 2022" of "the morning of November 2, 2022") and the note says those same words next to the
 * match, the span covers them too, so it is the note's wording of what the answer said. The item's own text
 * is unchanged. A widened span never starts or ends on a stop word, never crosses a sentence or line end of
 * the note, and grows by at most {@value #MAX_WORDS} words on each side.
 */
final class Widening {
    static final int MAX_WORDS = 6;

    /** Words the widening stops at: what follows them is when, where or how, not the item's name. */
    private static final Set<String> BARRIERS = Set.of("at", "on", "in", "for", "after", "before", "during", "since", "from",
            "until", "starting", "started", "was", "were", "is", "are", "by", "to", "as", "likely", "which", "that", "who",
            "and", "or", "but", "not", "per", "via", "under", "while", "when");

    /** The words after an article that ends a text, at most two ("... sustained a mechanical " gives "mechanical "). */
    private static final java.util.regex.Pattern ARTICLE_BOUNDED = java.util.regex.Pattern.compile(
            "(?i)\\b(?:a|an|the)\\s+((?:[\\w-]+\\s+){1,2})$");

    private Widening() {
    }

    /**
     * Each span, widened left while the note's previous words are the answer's words just before the phrase
     * ({@code before}, read backwards) and right while its next words are the answer's words just after it.
     */
    static List<Span> widen(Grounder grounder, List<Span> spans, String before, String after) {
        return widen(grounder, spans, before, after, w -> true);
    }

    /** {@link #widen(Grounder, List, String, String)} over the answer's words that {@code allowed} accepts only. */
    static List<Span> widen(Grounder grounder, List<Span> spans, String before, String after,
                            java.util.function.Predicate<String> allowed) {
        List<String> left = norms(before);
        java.util.Collections.reverse(left);
        List<String> right = norms(after);
        if (spans.isEmpty() || (left.isEmpty() && right.isEmpty())) {
            return spans;
        }
        List<Grounder.Token> tokens = grounder.tokens();
        String text = grounder.note().text();
        Set<Span> out = new LinkedHashSet<>();
        for (Span s : spans) {
            int first = -1;
            int last = -1;
            for (int i = 0; i < tokens.size(); i++) {
                if (first < 0 && tokens.get(i).begin() >= s.begin()) {
                    first = i;
                }
                if (tokens.get(i).end() <= s.end()) {
                    last = i;
                }
            }
            if (first < 0 || last < first) {
                out.add(s);
                continue;
            }
            int end = last;
            for (int k = 0, j = last + 1; k < right.size() && k < MAX_WORDS && j < tokens.size(); k++, j++) {
                if (BARRIERS.contains(right.get(k)) || !allowed.test(right.get(k)) || !tokens.get(j).norm().equals(right.get(k))
                        || breaks(text, tokens.get(j - 1).end(), tokens.get(j).begin())) {
                    break;
                }
                if (!Grounder.isStopWord(right.get(k))) {
                    end = j;
                }
            }
            int begin = first;
            for (int k = 0, j = first - 1; k < left.size() && k < MAX_WORDS && j >= 0; k++, j--) {
                if (BARRIERS.contains(left.get(k)) || !allowed.test(left.get(k)) || !tokens.get(j).norm().equals(left.get(k)) || breaks(text, tokens.get(j).end(), tokens.get(j + 1).begin())) {
                    break;
                }
                if (!Grounder.isStopWord(left.get(k))) {
                    begin = j;
                }
            }
            int from = Math.min(s.begin(), tokens.get(begin).begin());
            int to = Math.max(s.end(), tokens.get(end).end());
            if (to < text.length() && text.charAt(to) == ')' && count(text, from, to, '(') > count(text, from, to, ')')) {
                to++; // "IV alteplase (tPA" closes its parenthesis
            }
            if (begin == first && end == last || count(text, from, to, '(') != count(text, from, to, ')')) {
                out.add(s);
            } else {
                // the note's text is no longer the phrase itself: at best a normalized match
                out.add(Span.of(grounder.note(), from, to, s.match() == MatchKind.EXACT ? MatchKind.NORMALIZED : s.match()));
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * Each span widened by the answer's words around the places where the answer says the span's words
     * ("fall" of "a mechanical fall at home", "fracture" of "the displaced left intertrochanteric femur
     * fracture"): the widest result over those places. Digits never widen a span (a dose is not a name).
     */
    static List<Span> widenByAnswer(Grounder grounder, List<Span> spans, String answer) {
        return widenByAnswer(grounder, spans, answer, false);
    }

    /**
     * With {@code articleBounded}, only over the answer's words between an article and the span's words ("a
     * mechanical fall" widens "fall"; "received one dose of furosemide" does not widen "furosemide").
     */
    static List<Span> widenByAnswer(Grounder grounder, List<Span> spans, String answer, boolean articleBounded) {
        List<Grounder.Token> said = Grounder.tokenize(answer);
        Set<Span> out = new LinkedHashSet<>();
        for (Span s : spans) {
            List<String> words = norms(s.text());
            Span best = s;
            for (int i = 0; !words.isEmpty() && i + words.size() <= said.size(); i++) {
                boolean same = true;
                for (int k = 0; k < words.size() && same; k++) {
                    same = said.get(i + k).norm().equals(words.get(k));
                }
                if (!same) {
                    continue;
                }
                String before = answer.substring(0, said.get(i).begin());
                String after = answer.substring(said.get(i + words.size() - 1).end());
                if (articleBounded) {
                    java.util.regex.Matcher np = ARTICLE_BOUNDED.matcher(before);
                    before = np.find() ? np.group(1) : "";
                    after = "";
                }
                Span w = widen(grounder, List.of(s), before, after, x -> !Character.isDigit(x.charAt(0))).get(0);
                if (w.end() - w.begin() > best.end() - best.begin()) {
                    best = w;
                }
            }
            out.add(best);
        }
        return new ArrayList<>(out);
    }

    /** A sentence end, a line break, a semicolon, a colon or a parenthesis (a gloss) between two note tokens. */
    private static boolean breaks(String text, int from, int to) {
        String gap = text.substring(from, to);
        return gap.contains("\n") || gap.matches(".*[.;:()\\[\\]].*");
    }

    private static long count(String text, int from, int to, char c) {
        return text.substring(from, to).chars().filter(x -> x == c).count();
    }

    private static List<String> norms(String s) {
        List<String> out = new ArrayList<>();
        for (Grounder.Token t : Grounder.tokenize(s)) {
            out.add(t.norm());
        }
        return out;
    }
}
