package dev.asclepius.tasks;

import dev.asclepius.tasks.internal.AbbreviationTask;
import dev.asclepius.tasks.internal.CoreferenceTask;
import dev.asclepius.tasks.internal.EntityTask;
import dev.asclepius.tasks.internal.Grounder;
import dev.asclepius.tasks.internal.ParaphraseTask;
import dev.asclepius.tasks.internal.QuestionTask;
import dev.asclepius.tasks.internal.RelationTask;
import dev.asclepius.tasks.internal.SummaryTask;
import dev.asclepius.tasks.internal.TaskSpec;
import dev.asclepius.tasks.internal.TimelineTask;
import java.util.List;
import java.util.Optional;

/**
 * Re-parses a saved raw answer without a model (for answers produced elsewhere, e.g. by a Python or vLLM
 * run), with the same parsers and grounding the client uses.
 */
public final class TaskParsers {
    private TaskParsers() {
    }

    /**
     * Parses {@code rawResponse} as an answer to the task's general question. The value's type is:
     * ENTITIES {@code List<Entity>} (kinds from headings such as "Medications:", else
     * {@link EntityType#OTHER}), ABBREVIATIONS {@code List<Abbreviation>}, RELATIONS {@code List<Relation>},
     * TIMELINE {@link Timeline}, COREFERENCES {@code List<CoreferenceChain>}, PARAPHRASE {@link Paraphrase},
     * SUMMARY {@link Summary}, QUESTION_ANSWERING {@link Answer}.
     *
     * @param truncated whether the token limit cut the answer (its incomplete last line is dropped)
     */
    public static Parsed<?> parse(Task task, ClinicalNote note, String rawResponse, boolean truncated) {
        Grounder g = new Grounder(note);
        TaskSpec.Reply reply = new TaskSpec.Reply(rawResponse, truncated);
        switch (task) {
            case ENTITIES: {
                List<Entity> v = EntityTask.parseAnswer(g, reply, EntityType.OTHER);
                return new Parsed<>(task, v, Grounding.of(v.stream().map(Entity::spans).toList()));
            }
            case ABBREVIATIONS:
                return parsed(task, AbbreviationTask.all(), g, reply);
            case RELATIONS:
                return parsed(task, RelationTask.all(), g, reply);
            case TIMELINE:
                return parsed(task, new TimelineTask(), g, reply);
            case COREFERENCES:
                return parsed(task, CoreferenceTask.all(), g, reply);
            case PARAPHRASE:
                return parsed(task, new ParaphraseTask(Optional.empty()), g, reply);
            case SUMMARY:
                return parsed(task, new SummaryTask(Optional.empty()), g, reply);
            case QUESTION_ANSWERING:
                return parsed(task, new QuestionTask("(question not known)"), g, reply);
            default:
                throw new IllegalStateException("unreachable: " + task);
        }
    }

    /** {@link #parse(Task, ClinicalNote, String, boolean)} for an answer that ended normally. */
    public static Parsed<?> parse(Task task, ClinicalNote note, String rawResponse) {
        return parse(task, note, rawResponse, false);
    }

    private static <T> Parsed<T> parsed(Task task, TaskSpec<T> spec, Grounder g, TaskSpec.Reply reply) {
        T value = spec.parse(g, List.of(reply));
        return new Parsed<>(task, value, spec.grounding(value));
    }
}
