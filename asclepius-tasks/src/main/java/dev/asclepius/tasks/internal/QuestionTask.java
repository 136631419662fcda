package dev.asclepius.tasks.internal;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.Answer;
import dev.asclepius.tasks.Evidence;
import dev.asclepius.tasks.Grounding;
import dev.asclepius.tasks.Span;
import dev.asclepius.tasks.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A free question, sent as the user wrote it: the training questions were free questions too. */
public final class QuestionTask implements TaskSpec<Answer> {

    private final String question;

    public QuestionTask(String question) {
        if (question == null || question.isBlank()) {
            throw new InvalidInputException("The question is empty");
        }
        this.question = question.strip();
    }

    @Override
    public Task task() {
        return Task.QUESTION_ANSWERING;
    }

    @Override
    public List<String> instructions() {
        return List.of(question);
    }

    @Override
    public Answer parse(Grounder grounder, List<Reply> replies) {
        return (Answer) AnswerParsers.parse(Task.QUESTION_ANSWERING, grounder, question, replies.get(0));
    }

    /**
     * The answer text, whether it says the note lacks the information, and its evidence: quoted strings
     * (grounded exactly, normalized or fuzzily) and answer sentences the note contains verbatim.
     */
    public static Answer parseAnswer(Grounder grounder, Reply reply) {
        String text = AnswerText.dropClosing(AnswerText.stripFiller(AnswerText.complete(reply.text(), reply.truncated())));
        List<String> sentences = AnswerText.sentences(text);
        boolean found = !text.isEmpty() && !(sentences.size() <= 2 && AnswerText.saysNotInNote(sentences.get(0)));
        List<Evidence> evidence = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String q : AnswerText.quotes(text)) {
            if (!seen.contains(q.toLowerCase(Locale.ROOT))) {
                seen.add(q.toLowerCase(Locale.ROOT));
                evidence.add(new Evidence(q, grounder.locate(q)));
            }
        }
        for (String line : AnswerText.lines(text)) {
            for (String sentence : AnswerText.sentences(AnswerText.stripBullet(line))) {
                String s = AnswerText.tidy(sentence);
                if (s.split("\\s+").length < 3 || seen.contains(s.toLowerCase(Locale.ROOT))) {
                    continue;
                }
                List<Span> spans = grounder.locateStrict(s);
                if (!spans.isEmpty()) {
                    seen.add(s.toLowerCase(Locale.ROOT));
                    evidence.add(new Evidence(s, spans));
                }
            }
        }
        // phrases the answer copies from the note ("held for 48 hours after contrast exposure"): the longest
        // runs of at least MIN_RUN words that the note contains word for word
        for (Evidence e : verbatimRuns(grounder, text)) {
            if (!seen.contains(e.quote().toLowerCase(Locale.ROOT))
                    && evidence.stream().noneMatch(x -> x.quote().toLowerCase(Locale.ROOT).contains(e.quote().toLowerCase(Locale.ROOT)))) {
                seen.add(e.quote().toLowerCase(Locale.ROOT));
                evidence.add(e);
            }
        }
        return new Answer(text, found, evidence);
    }

    /**
     * Least number of words (as written, separated by spaces) of a verbatim run to count as evidence; shorter
     * runs are common phrases or bare names. Three keeps short statements ("pathology is pending",
     * "urinalysis was unremarkable").
     */
    static final int MIN_RUN = 3;

    private static final java.util.Set<String> RUN_EDGE = java.util.Set.of("the", "a", "an", "of", "in", "on", "at", "to", "for",
            "with", "and", "or", "by", "was", "were", "is", "are", "be", "his", "her", "their", "he", "she", "it", "they",
            "should", "will", "would", "that", "this", "as", "from");

    /** Words a run does not start with ("in", "and"); "The" and "He" stay: the note's phrase starts there too. */
    private static final java.util.Set<String> RUN_START = java.util.Set.of("of", "in", "on", "at", "to", "for", "with", "and",
            "or", "by", "as", "from", "should", "will", "would", "that", "was", "were", "is", "are");

    static List<Evidence> verbatimRuns(Grounder grounder, String text) {
        List<Grounder.Token> a = Grounder.tokenize(text);
        List<Evidence> out = new ArrayList<>();
        int i = 0;
        while (i < a.size()) {
            int best = 0;
            for (int len = MIN_RUN; i + len <= a.size(); len++) {
                String phrase = text.substring(a.get(i).begin(), a.get(i + len - 1).end());
                if (grounder.locateStrict(phrase).isEmpty()) {
                    break;
                }
                best = len;
            }
            if (best >= MIN_RUN) {
                // a run starts and ends on a word that carries meaning: "follow up with cardiology in" -> "... cardiology"
                int from = i;
                int to = i + best;
                while (to - from > 0 && RUN_EDGE.contains(a.get(to - 1).norm())) {
                    to--;
                }
                while (to - from > 0 && RUN_START.contains(a.get(from).norm())) {
                    from++;
                }
                String phrase = to - from >= MIN_RUN ? text.substring(a.get(from).begin(), a.get(to - 1).end()) : "";
                if (phrase.strip().split("\\s+").length < MIN_RUN) {
                    phrase = ""; // words as written: "low-sodium diet" is two words, a name rather than a statement
                }
                if (phrase.isEmpty() || phrase.matches("(?s).*[\"'“”‘’].*")) {
                    i += best; // shorter than a run, or it runs across a quote (quotes are evidence of their own)
                    continue;
                }
                long content = a.subList(from, to).stream().filter(t -> (t.norm().length() > 3 && !RUN_EDGE.contains(t.norm())) || t.norm().matches("\\d+")).count();
                if (content >= 2) {
                    List<Span> spans = new ArrayList<>();
                    for (Span sp : grounder.locateStrict(phrase)) {
                        spans.add(widen(grounder, sp, text, a, from, to));
                    }
                    out.add(new Evidence(phrase, spans));
                }
                i += best;
            } else {
                i++;
            }
        }
        return out;
    }

    /** Answer words a widened span may step over to find the note's next word ("was made" in "referral was made for"). */
    static final int MAX_GAP = 2;

    /**
     * A verbatim run's note span, widened word by word while the note's next (or previous) word is also
     * among the answer's next (previous) {@value #MAX_GAP} + 1 words: the answer copied the note's phrase
     * with a word or two of its own inside ("A sleep medicine referral was made for further BiPAP titration"
     * for "Sleep medicine referral for BiPAP titration", "PCP follow-up within 2 weeks" for "PCP within 2
     * weeks"). Neither side crosses a sentence end; the widened span does not end on a function word.
     */
    static Span widen(Grounder grounder, Span span, String answer, List<Grounder.Token> a, int from, int to) {
        String note = grounder.note().text();
        List<Grounder.Token> n = Grounder.tokenize(note);
        int first = -1;
        int last = -1;
        for (int i = 0; i < n.size(); i++) {
            if (n.get(i).begin() == span.begin()) {
                first = i;
            }
            if (n.get(i).end() == span.end()) {
                last = i;
            }
        }
        if (first < 0 || last < first) {
            return span;
        }
        int right = last;
        int k = to; // next answer token to look at
        while (right + 1 < n.size() && !breaks(note, n.get(right).end(), n.get(right + 1).begin())) {
            int hit = -1;
            for (int g = k; g < Math.min(a.size(), k + MAX_GAP + 1); g++) {
                if (g > 0 && breaks(answer, a.get(g - 1).end(), a.get(g).begin())) {
                    break;
                }
                if (a.get(g).norm().equals(n.get(right + 1).norm())) {
                    hit = g;
                    break;
                }
            }
            if (hit < 0) {
                break;
            }
            right++;
            k = hit + 1;
        }
        int left = first;
        k = from - 1; // previous answer token to look at
        while (left > 0 && !breaks(note, n.get(left - 1).end(), n.get(left).begin())) {
            int hit = -1;
            for (int g = k; g >= 0 && g > k - MAX_GAP - 1; g--) {
                if (g + 1 < a.size() && breaks(answer, a.get(g).end(), a.get(g + 1).begin())) {
                    break;
                }
                if (a.get(g).norm().equals(n.get(left - 1).norm())) {
                    hit = g;
                    break;
                }
            }
            if (hit < 0) {
                break;
            }
            left--;
            k = hit - 1;
        }
        while (right > last && RUN_EDGE.contains(n.get(right).norm())) {
            right--;
        }
        while (left < first && RUN_START.contains(n.get(left).norm())) {
            left++;
        }
        if (left == first && right == last) {
            return span;
        }
        return Span.of(grounder.note(), n.get(left).begin(), n.get(right).end(), dev.asclepius.tasks.MatchKind.FUZZY);
    }

    /** Whether the text between two words ends a sentence or a line. */
    private static boolean breaks(String text, int from, int to) {
        String between = text.substring(Math.min(from, to), Math.max(from, to));
        return between.matches("(?s).*(?:[.;!?](?:\\s|$)|\\n).*");
    }

    @Override
    public Grounding grounding(Answer value) {
        return Grounding.of(value.evidence().stream().map(Evidence::spans).toList());
    }
}
