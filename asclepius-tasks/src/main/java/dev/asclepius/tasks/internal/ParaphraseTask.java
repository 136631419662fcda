package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.Grounding;
import dev.asclepius.tasks.Paraphrase;
import dev.asclepius.tasks.Span;
import dev.asclepius.tasks.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Paraphrasing: the whole note, or one sentence or term, in plain language. */
public final class ParaphraseTask implements TaskSpec<Paraphrase> {

    public static final String NOTE_QUESTION = "Could you paraphrase this discharge summary into simpler language "
            + "that the patient and their family might understand?";

    public static String sentenceQuestion(String sentence) {
        return "How would you rephrase the line in the discharge summary, '" + sentence
                + "', to make it easier for a non-medical professional to grasp?";
    }

    /** Lead-ins that announce the paraphrase instead of being part of it. */
    private static final Pattern LEAD_IN = Pattern.compile("(?is)^(?:(?:in |to put it in |put in )?(?:simpler|simple|"
            + "plain|layman'?s?|everyday|non-medical|more common|easier) (?:terms|language|words)[,:]\\s*|"
            + "(?:a )?(?:simpler|possible|plain[- ]language) (?:version|paraphrase|rephrasing|way to say (?:this|it))"
            + "(?: would be| is| could be)?[,:]?\\s*|"
            + "(?:the (?:line|sentence|phrase|term|statement) .{0,400}? (?:can|could|would|may|might) be "
            + "(?:paraphrased|rephrased|explained|translated|simplified|put)(?:\\s+(?:more simply|simply|in simpler terms|"
            + "in plain language|in layman's terms))?(?:\\s+(?:as|like this))?[,:]?\\s*)|"
            + "paraphrase[d]?:\\s*|rephrased:\\s*)");

    private final Optional<String> original;

    public ParaphraseTask(Optional<String> original) {
        this.original = original;
    }

    @Override
    public Task task() {
        return Task.PARAPHRASE;
    }

    @Override
    public List<String> instructions() {
        return List.of(original.map(ParaphraseTask::sentenceQuestion).orElse(NOTE_QUESTION));
    }

    @Override
    public Paraphrase parse(Grounder grounder, List<Reply> replies) {
        return (Paraphrase) AnswerParsers.parse(Task.PARAPHRASE, grounder, instructions().get(0), replies.get(0));
    }

    public static Paraphrase parseAnswer(Grounder grounder, Reply reply, Optional<String> original) {
        String text = AnswerText.stripFiller(AnswerText.complete(reply.text(), reply.truncated()));
        List<String> kept = new ArrayList<>();
        for (String line : AnswerText.lines(text)) {
            if (kept.isEmpty() && AnswerText.isPreamble(line)) {
                continue;
            }
            kept.add(line);
        }
        String body = String.join("\n", kept);
        String prev;
        do {
            prev = body;
            body = LEAD_IN.matcher(body).replaceFirst("").strip();
        } while (!body.equals(prev));
        body = unquote(body);
        body = AnswerText.dropClosing(body);
        if (!body.contains("\n") && AnswerText.sentences(body).size() <= 2 && !AnswerText.sentences(body).isEmpty()
                && AnswerText.saysNotInNote(AnswerText.sentences(body).get(0))) {
            body = "";
        }
        return new Paraphrase(original, body, original.map(o -> locateSentence(grounder, o)).orElse(List.of()));
    }

    /**
     * Where the note says the original. A quoted sentence ("He was admitted on 03/14.") keeps its full stop
     * when the note has it there; a quoted phrase ("hypokinesis of the inferior wall.") does not.
     */
    static List<Span> locateSentence(Grounder grounder, String original) {
        List<Span> spans = grounder.locate(original);
        String o = original.strip();
        if (o.isEmpty() || !o.matches("(?s)^[A-Z0-9].*[.!?]$")) {
            return spans;
        }
        char stop = o.charAt(o.length() - 1);
        String note = grounder.note().text();
        List<Span> out = new ArrayList<>();
        for (Span s : spans) {
            out.add(s.end() < note.length() && note.charAt(s.end()) == stop && !s.text().endsWith(String.valueOf(stop))
                    ? Span.of(grounder.note(), s.begin(), s.end() + 1, s.match()) : s);
        }
        return out;
    }

    private static String unquote(String s) {
        String t = s.strip();
        if (t.length() >= 2 && "\"“'".indexOf(t.charAt(0)) >= 0) {
            char close = t.charAt(0) == '“' ? '”' : t.charAt(0);
            int end = t.lastIndexOf(close);
            if (end == t.length() - 1 || (end == t.length() - 2 && t.endsWith("."))) {
                return t.substring(1, end).strip();
            }
        }
        return t;
    }

    @Override
    public Grounding grounding(Paraphrase value) {
        return value.original().isPresent() ? Grounding.of(List.of(value.originalSpans())) : Grounding.NONE;
    }
}
