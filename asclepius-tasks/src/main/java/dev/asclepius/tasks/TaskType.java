package dev.asclepius.tasks;

import java.util.List;
import java.util.Objects;

/**
 * A task together with the type of its parsed value, so that re-parsing a saved answer needs no cast:
 * {@code List<Entity> e = TaskParsers.parse(TaskType.ENTITIES, note, raw).value()}. One constant per
 * {@link Task}; {@link #of(Task)} maps a task chosen at run time (a command-line argument) to its
 * constant, whose value type is then known only as {@code ?}.
 *
 * @param <T> the value type {@link TaskParsers#parse} gives for this task
 */
public final class TaskType<T> {
    public static final TaskType<List<Entity>> ENTITIES = new TaskType<>(Task.ENTITIES);
    public static final TaskType<List<Abbreviation>> ABBREVIATIONS = new TaskType<>(Task.ABBREVIATIONS);
    public static final TaskType<List<Relation>> RELATIONS = new TaskType<>(Task.RELATIONS);
    public static final TaskType<Timeline> TIMELINE = new TaskType<>(Task.TIMELINE);
    public static final TaskType<List<CoreferenceChain>> COREFERENCES = new TaskType<>(Task.COREFERENCES);
    public static final TaskType<Paraphrase> PARAPHRASE = new TaskType<>(Task.PARAPHRASE);
    public static final TaskType<Summary> SUMMARY = new TaskType<>(Task.SUMMARY);
    public static final TaskType<Answer> QUESTION_ANSWERING = new TaskType<>(Task.QUESTION_ANSWERING);

    private final Task task;

    private TaskType(Task task) {
        this.task = task;
    }

    /** The task. */
    public Task task() {
        return task;
    }

    /** The constant for {@code task}. */
    public static TaskType<?> of(Task task) {
        return switch (Objects.requireNonNull(task, "task")) {
            case ENTITIES -> ENTITIES;
            case ABBREVIATIONS -> ABBREVIATIONS;
            case RELATIONS -> RELATIONS;
            case TIMELINE -> TIMELINE;
            case COREFERENCES -> COREFERENCES;
            case PARAPHRASE -> PARAPHRASE;
            case SUMMARY -> SUMMARY;
            case QUESTION_ANSWERING -> QUESTION_ANSWERING;
        };
    }

    @Override
    public String toString() {
        return task.toString();
    }
}
