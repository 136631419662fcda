package dev.asclepius.tasks.internal;

import dev.asclepius.tasks.Grounding;
import dev.asclepius.tasks.Summary;
import dev.asclepius.tasks.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Summarization, optionally focused ("medication changes", "discharge planning"). */
public final class SummaryTask implements TaskSpec<Summary> {

    public static final String NOTE_QUESTION = "Can you provide a succinct summary of the key clinical findings and "
            + "treatment recommendations outlined in this discharge summary?";

    public static String focusQuestion(String focus) {
        return "Could you extract and summarize the information about " + focus + " in this discharge summary?";
    }

    private final Optional<String> focus;

    public SummaryTask(Optional<String> focus) {
        this.focus = focus;
    }

    @Override
    public Task task() {
        return Task.SUMMARY;
    }

    @Override
    public List<String> instructions() {
        return List.of(focus.map(SummaryTask::focusQuestion).orElse(NOTE_QUESTION));
    }

    @Override
    public Summary parse(Grounder grounder, List<Reply> replies) {
        return (Summary) AnswerParsers.parse(Task.SUMMARY, grounder, instructions().get(0), replies.get(0));
    }

    public static Summary parseAnswer(Reply reply) {
        String text = AnswerText.dropClosing(AnswerText.stripFiller(AnswerText.complete(reply.text(), reply.truncated())));
        List<String> lines = new ArrayList<>();
        for (String line : AnswerText.lines(text)) {
            if (lines.isEmpty() && (AnswerText.isPreamble(line) || line.matches("(?i)^summary:?$"))) {
                continue;
            }
            lines.add(line);
        }
        if (!lines.isEmpty()) {
            lines.set(0, lines.get(0).replaceFirst("(?i)^summary:\\s*", ""));
        }
        List<String> points = new ArrayList<>();
        boolean bulleted = lines.stream().anyMatch(AnswerText::isBullet);
        for (String line : lines) {
            if (bulleted && AnswerText.isBullet(line)) {
                points.add(AnswerText.stripBullet(line));
            } else {
                for (String sentence : AnswerText.sentences(AnswerText.stripBullet(line))) {
                    if (!sentence.endsWith(":")) { // a heading introduces points, it is not one
                        points.add(sentence);
                    }
                }
            }
        }
        return new Summary(String.join("\n", lines), points);
    }

    @Override
    public Grounding grounding(Summary value) {
        return Grounding.NONE;
    }
}
