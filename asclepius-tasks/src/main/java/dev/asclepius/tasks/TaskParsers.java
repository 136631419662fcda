package dev.asclepius.tasks;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.internal.AbbreviationTask;
import dev.asclepius.tasks.internal.AnswerParsers;
import dev.asclepius.tasks.internal.CoreferenceTask;
import dev.asclepius.tasks.internal.Grounder;
import dev.asclepius.tasks.internal.ParaphraseTask;
import dev.asclepius.tasks.internal.QuestionTask;
import dev.asclepius.tasks.internal.RelationTask;
import dev.asclepius.tasks.internal.SummaryTask;
import dev.asclepius.tasks.internal.TaskSpec;
import dev.asclepius.tasks.internal.TimelineTask;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Re-parses a saved raw answer without a model (for answers produced elsewhere, e.g. by a Python or vLLM
 * run), with the same parsers and grounding the client uses.
 */
public final class TaskParsers {
    private TaskParsers() {
    }

    /**
     * Parses {@code rawResponse} as the answer to {@code question}, the way the client parses its own
     * answers. The question gives the context: the entity type ("What medications ..."), the pair of a
     * relation question ("the connection between 'A' and 'B'"), the abbreviation of a one-abbreviation
     * question, the mention of a coreference question, the sentence of a paraphrase question. A blank
     * question parses as an answer to the task's general question. The value's type is:
     * ENTITIES {@code List<Entity>} (kinds from the question, else from headings such as "Medications:",
     * else {@link EntityType#OTHER}), ABBREVIATIONS {@code List<Abbreviation>}, RELATIONS
     * {@code List<Relation>}, TIMELINE {@link Timeline}, COREFERENCES {@code List<CoreferenceChain>},
     * PARAPHRASE {@link Paraphrase}, SUMMARY {@link Summary}, QUESTION_ANSWERING {@link Answer}. A focused
     * question (one abbreviation, one pair, one mention) gives a list of at most one item.
     *
     * @param question  the question the answer replies to; blank when not known
     * @param truncated whether the token limit cut the answer (its incomplete last line is dropped)
     */
    public static Parsed<?> parse(Task task, ClinicalNote note, String question, String rawResponse, boolean truncated) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(note, "note");
        if (rawResponse == null) {
            throw new InvalidInputException("The response is null: pass the model's answer text (it may be empty)");
        }
        Grounder g = new Grounder(note);
        Object value = AnswerParsers.parse(task, g, question == null ? "" : question,
                new TaskSpec.Reply(rawResponse, truncated));
        return new Parsed<>(task, value, grounding(task, value));
    }

    /** {@link #parse(Task, ClinicalNote, String, String, boolean)} for an answer that ended normally. */
    public static Parsed<?> parse(Task task, ClinicalNote note, String question, String rawResponse) {
        return parse(task, note, question, rawResponse, false);
    }

    /** Parses {@code rawResponse} as an answer to the task's general question (no question known). */
    public static Parsed<?> parse(Task task, ClinicalNote note, String rawResponse, boolean truncated) {
        return parse(task, note, "", rawResponse, truncated);
    }

    /** {@link #parse(Task, ClinicalNote, String, boolean)} for an answer that ended normally. */
    public static Parsed<?> parse(Task task, ClinicalNote note, String rawResponse) {
        return parse(task, note, "", rawResponse, false);
    }

    @SuppressWarnings("unchecked")
    private static Grounding grounding(Task task, Object value) {
        switch (task) {
            case ENTITIES:
                return Grounding.of(((List<Entity>) value).stream().map(Entity::spans).toList());
            case ABBREVIATIONS:
                return AbbreviationTask.all().grounding((List<Abbreviation>) value);
            case RELATIONS:
                return RelationTask.all().grounding((List<Relation>) value);
            case TIMELINE:
                return new TimelineTask().grounding((Timeline) value);
            case COREFERENCES:
                return CoreferenceTask.all().grounding((List<CoreferenceChain>) value);
            case PARAPHRASE:
                return new ParaphraseTask(Optional.empty()).grounding((Paraphrase) value);
            case SUMMARY:
                return Grounding.NONE;
            case QUESTION_ANSWERING:
                return new QuestionTask("(question not known)").grounding((Answer) value);
            default:
                throw new IllegalStateException("unreachable: " + task);
        }
    }
}
