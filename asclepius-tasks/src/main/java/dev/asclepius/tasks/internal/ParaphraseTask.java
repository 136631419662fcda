package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.Grounding;
import dev.asclepius.tasks.Paraphrase;
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
        if (!body.contains("\n") && AnswerText.saysNothingFound(body)) {
            body = "";
        }
        return new Paraphrase(original, body, original.map(grounder::locate).orElse(List.of()));
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
