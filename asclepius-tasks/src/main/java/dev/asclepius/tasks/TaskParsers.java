package dev.asclepius.tasks;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.internal.AbbreviationTask;
import dev.asclepius.tasks.internal.AnswerParsers;
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
     * question parses as an answer to the task's general question. The value's type is the task type's
     * ({@link TaskType#ENTITIES} gives {@code List<Entity>}, with kinds from the question, else from
     * headings such as "Medications:", else {@link EntityType#OTHER}). A focused question (one
     * abbreviation, one pair, one mention) gives a list of at most one item. For a task chosen at run time,
     * pass {@link TaskType#of(Task)}.
     *
     * @param question  the question the answer replies to; blank when not known
     * @param truncated whether the token limit cut the answer (its incomplete last line is dropped)
     */
    public static <T> Parsed<T> parse(TaskType<T> type, ClinicalNote note, String question, String rawResponse,
                                      boolean truncated) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(note, "note");
        if (rawResponse == null) {
            throw new InvalidInputException("The response is null: pass the model's answer text (it may be empty)");
        }
        Task task = type.task();
        Grounder g = new Grounder(note);
        @SuppressWarnings("unchecked")   // safe: each task's parser gives the value type its TaskType names
        T value = (T) AnswerParsers.parse(task, g, question == null ? "" : question,
                new TaskSpec.Reply(rawResponse, truncated));
        return new Parsed<>(task, value, grounding(task, value));
    }

    /** {@link #parse(TaskType, ClinicalNote, String, String, boolean)} for an answer that ended normally. */
    public static <T> Parsed<T> parse(TaskType<T> type, ClinicalNote note, String question, String rawResponse) {
        return parse(type, note, question, rawResponse, false);
    }

    /** Parses {@code rawResponse} as an answer to the task's general question (no question known). */
    public static <T> Parsed<T> parse(TaskType<T> type, ClinicalNote note, String rawResponse, boolean truncated) {
        return parse(type, note, "", rawResponse, truncated);
    }

    /** {@link #parse(TaskType, ClinicalNote, String, boolean)} for an answer that ended normally. */
    public static <T> Parsed<T> parse(TaskType<T> type, ClinicalNote note, String rawResponse) {
        return parse(type, note, "", rawResponse, false);
    }

    /**
     * The question the client sends for a task, for {@link #parse(TaskType, ClinicalNote, String, String, boolean)}
     * when an answer was saved without its question but its form is known: {@code focus} is empty for the
     * general question, else the entity type's name for ENTITIES ("medication"), the short form
     * (ABBREVIATIONS), the two items (RELATIONS), the mention (COREFERENCES), the sentence (PARAPHRASE),
     * the topic (SUMMARY), or the question itself (QUESTION_ANSWERING).
     *
     * @throws InvalidInputException when the task takes a different number of focus items, or the type is unknown
     */
    public static String question(Task task, List<String> focus) {
        Objects.requireNonNull(task, "task");
        int allowed = switch (task) {
            case RELATIONS -> 2;
            case TIMELINE -> 0;
            default -> 1;
        };
        if (focus.stream().anyMatch(f -> f == null || f.isBlank())) {
            throw new InvalidInputException("A focus item is empty");
        }
        if (task == Task.QUESTION_ANSWERING && focus.size() != 1) {
            throw new InvalidInputException("Question answering needs the question itself");
        }
        if (!focus.isEmpty() && focus.size() != allowed) {
            throw new InvalidInputException(task == Task.TIMELINE ? "The timeline has no focused form"
                    : task + " takes " + allowed + " focus item" + (allowed == 1 ? "" : "s") + ", got " + focus.size());
        }
        if (focus.isEmpty()) {
            return switch (task) {
                case ENTITIES -> "Can you identify all the medical conditions, medications, tests, procedures and lifestyle "
                        + "factors mentioned in the discharge summary?";
                case ABBREVIATIONS -> AbbreviationTask.ALL_QUESTION;
                case RELATIONS -> RelationTask.ALL_QUESTION;
                case TIMELINE -> TimelineTask.QUESTION;
                case COREFERENCES -> CoreferenceTask.ALL_QUESTION;
                case PARAPHRASE -> ParaphraseTask.NOTE_QUESTION;
                case SUMMARY -> SummaryTask.NOTE_QUESTION;
                case QUESTION_ANSWERING -> throw new IllegalStateException("unreachable");
            };
        }
        String f = focus.get(0).strip();
        return switch (task) {
            case ENTITIES -> EntityTask.question(entityType(f));
            case ABBREVIATIONS -> AbbreviationTask.oneQuestion(f);
            case RELATIONS -> RelationTask.pairQuestion(f, focus.get(1).strip());
            case COREFERENCES -> CoreferenceTask.oneQuestion(f);
            case PARAPHRASE -> ParaphraseTask.sentenceQuestion(f);
            case SUMMARY -> SummaryTask.focusQuestion(f);
            case QUESTION_ANSWERING -> f;
            case TIMELINE -> throw new IllegalStateException("unreachable");
        };
    }

    /** An entity type as a user writes it: "medication", "medications", "lifestyle factor", "TEST". */
    public static EntityType entityType(String text) {
        String name = text.trim().toUpperCase(java.util.Locale.ROOT).replace(' ', '_').replace('-', '_');
        if (name.endsWith("S")) {
            name = name.substring(0, name.length() - 1);
        }
        for (EntityType t : EntityType.values()) {
            if (t != EntityType.OTHER && t.name().equals(name)) {
                return t;
            }
        }
        throw new InvalidInputException("Unknown entity type '" + text + "': use condition, medication, test, "
                + "procedure or lifestyle_factor");
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
