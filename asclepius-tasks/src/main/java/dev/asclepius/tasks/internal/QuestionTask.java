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
        String text = AnswerText.stripFiller(AnswerText.complete(reply.text(), reply.truncated()));
        List<String> sentences = AnswerText.sentences(text);
        boolean found = !text.isEmpty() && !(sentences.size() <= 2 && AnswerText.saysNothingFound(sentences.get(0)));
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
        return new Answer(text, found, evidence);
    }

    @Override
    public Grounding grounding(Answer value) {
        return Grounding.of(value.evidence().stream().map(Evidence::spans).toList());
    }
}
