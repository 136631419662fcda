package dev.asclepius.tasks.internal;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.PromptTemplate;
import dev.asclepius.core.TokenListener;
import dev.asclepius.tasks.Analysis;
import dev.asclepius.tasks.Answer;
import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.Exchange;
import dev.asclepius.tasks.Task;
import dev.asclepius.tasks.TaskResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Sends a task's questions to the model and turns the answers into its typed result: one task at a time
 * ({@link #run}), or several tasks of one note generated together ({@link #analyze}). The client keeps the
 * public methods and their argument checks; this class keeps the prompt, generation and parsing steps.
 */
public final class TaskRunner {
    private final ModelLease lease;
    private final GenerationConfig generation;
    private final PromptTemplate template;
    private final Runnable checkOpen;

    /** {@code checkOpen} runs before each question, so a client closed between two questions of a task stops there. */
    public TaskRunner(ModelLease lease, GenerationConfig generation, PromptTemplate template, Runnable checkOpen) {
        this.lease = Objects.requireNonNull(lease, "lease");
        this.generation = Objects.requireNonNull(generation, "generation");
        this.template = Objects.requireNonNull(template, "template");
        this.checkOpen = Objects.requireNonNull(checkOpen, "checkOpen");
    }

    public ModelLease lease() {
        return lease;
    }

    public GenerationConfig generation() {
        return generation;
    }

    public PromptTemplate template() {
        return template;
    }

    /** Runs one task: its questions one after another, each streamed to {@code listener}. */
    public <T> TaskResult<T> run(ClinicalNote note, TaskSpec<T> spec, TokenListener listener) {
        checkOpen.run();
        requireNote(note);
        Objects.requireNonNull(listener, "listener");
        List<Exchange> exchanges = new ArrayList<>();
        List<TaskSpec.Reply> replies = new ArrayList<>();
        for (String instruction : spec.instructions()) {
            checkOpen.run();
            String prompt = template.format(note.text(), instruction);
            long start = System.nanoTime();
            GenerationResult result = lease.model().generate(prompt, generation, listener);
            Exchange exchange = Exchange.of(instruction, result, Duration.ofNanos(System.nanoTime() - start));
            exchanges.add(exchange);
            replies.add(new TaskSpec.Reply(result.text(), exchange.truncated()));
        }
        T value = spec.parse(new Grounder(note), replies);
        return new TaskResult<>(value, exchanges, spec.grounding(value));
    }

    /**
     * Runs the whole-note form of each of {@code tasks} plus one question-answering task per question, all
     * questions generated together (a local model computes the shared template and note once and decodes
     * the answers as one batch; a remote model gets them concurrently).
     */
    public Analysis analyze(ClinicalNote note, Set<Task> tasks, List<String> questions) {
        checkOpen.run();
        requireNote(note);
        if (tasks.contains(Task.QUESTION_ANSWERING) && questions.isEmpty()) {
            throw new InvalidInputException("Question answering needs at least one question: pass them to analyze(note, tasks, questions).");
        }
        List<TaskSpec<?>> specs = new ArrayList<>();
        for (Task task : Task.values()) {
            if (tasks.contains(task) && task != Task.QUESTION_ANSWERING) {
                specs.add(wholeNoteSpec(task));
            }
        }
        for (String question : questions) {
            specs.add(new QuestionTask(requireText(question, "question")));
        }
        List<String> prompts = new ArrayList<>();
        List<String> instructions = new ArrayList<>();
        for (TaskSpec<?> spec : specs) {
            for (String instruction : spec.instructions()) {
                instructions.add(instruction);
                prompts.add(template.format(note.text(), instruction));
            }
        }
        long start = System.nanoTime();
        List<GenerationResult> results = lease.model().generateAll(prompts, generation);
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        Map<Task, TaskResult<?>> byTask = new EnumMap<>(Task.class);
        List<TaskResult<Answer>> answers = new ArrayList<>();
        int next = 0;
        for (TaskSpec<?> spec : specs) {
            int count = spec.instructions().size();
            TaskResult<?> result = finish(note, spec, instructions.subList(next, next + count),
                    results.subList(next, next + count), wall);
            next += count;
            if (spec.task() == Task.QUESTION_ANSWERING) {
                answers.add(cast(result));
            } else {
                byTask.put(spec.task(), result);
            }
        }
        return new Analysis(note, typed(byTask, Task.ENTITIES), typed(byTask, Task.ABBREVIATIONS),
                typed(byTask, Task.RELATIONS), typed(byTask, Task.TIMELINE), typed(byTask, Task.COREFERENCES),
                typed(byTask, Task.PARAPHRASE), typed(byTask, Task.SUMMARY), answers, wall);
    }

    /** The whole-note form of each task, as the client's one-argument method sends it. */
    static TaskSpec<?> wholeNoteSpec(Task task) {
        return switch (task) {
            case ENTITIES -> new EntityTask(List.of());
            case ABBREVIATIONS -> AbbreviationTask.all();
            case RELATIONS -> RelationTask.all();
            case TIMELINE -> new TimelineTask();
            case COREFERENCES -> CoreferenceTask.all();
            case PARAPHRASE -> new ParaphraseTask(Optional.empty());
            case SUMMARY -> new SummaryTask(Optional.empty());
            case QUESTION_ANSWERING -> throw new IllegalArgumentException("question answering needs a question");
        };
    }

    /** Parses answers generated elsewhere (together with other tasks' questions) into the task's result. */
    private static <T> TaskResult<T> finish(ClinicalNote note, TaskSpec<T> spec, List<String> instructions,
                                            List<GenerationResult> results, Duration wall) {
        List<Exchange> exchanges = new ArrayList<>();
        List<TaskSpec.Reply> replies = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            Exchange exchange = Exchange.of(instructions.get(i), results.get(i), wall);
            exchanges.add(exchange);
            replies.add(new TaskSpec.Reply(results.get(i).text(), exchange.truncated()));
        }
        T value = spec.parse(new Grounder(note), replies);
        return new TaskResult<>(value, exchanges, spec.grounding(value));
    }

    private static <T> Optional<TaskResult<T>> typed(Map<Task, TaskResult<?>> results, Task task) {
        return Optional.ofNullable(results.get(task)).map(TaskRunner::cast);
    }

    @SuppressWarnings("unchecked")
    private static <T> TaskResult<T> cast(TaskResult<?> result) {
        return (TaskResult<T>) result;   // safe: each task's spec produced the value type its slot holds
    }

    private static void requireNote(ClinicalNote note) {
        if (note == null) {
            throw new InvalidInputException("The clinical note is null");
        }
    }

    /** {@code value} stripped; a null or blank one is refused, naming {@code what} it is. */
    public static String requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException("The " + what + " is empty");
        }
        return value.strip();
    }
}
