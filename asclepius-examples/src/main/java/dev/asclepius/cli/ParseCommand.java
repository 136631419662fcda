package dev.asclepius.cli;

import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.Parsed;
import dev.asclepius.tasks.Task;
import dev.asclepius.tasks.TaskParsers;
import dev.asclepius.tasks.TaskType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import dev.asclepius.core.InvalidInputException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code asclepius parse}: the task parsers and grounding on a saved answer, no model needed. */
@Command(name = "parse", mixinStandardHelpOptions = true,
        description = {"Re-parse a saved raw model answer (e.g. from a Python or vLLM run) into the task's records, "
                + "grounded in the note. No model is loaded.",
                "Give the question the answer replies to with --question (it sets the entity type, the pair of a relation "
                        + "question, the abbreviation, the mention, the sentence), or name the client's own focused question "
                        + "with --type (entities) or --focus (abbreviations: CHF; relations: --focus A --focus B; coreferences: "
                        + "he; paraphrase: a sentence; summary: a topic). Without either, entities without a heading get "
                        + "type 'other'."})
final class ParseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TaskOptions taskOptions = new TaskOptions();

    @Option(names = "--response", required = true, paramLabel = "FILE", description = "The raw answer text, as the model wrote it.")
    Path response;

    @Option(names = "--question", paramLabel = "TEXT", description = "The question the answer replies to, as it was asked.")
    String question;

    @Option(names = "--type", paramLabel = "TYPE", description = "Entities: the type the question asked for "
            + "(condition, medication, test, procedure, lifestyle_factor), when --question is not given.")
    String type;

    @Option(names = "--focus", paramLabel = "TEXT", description = "The focus of the client's focused question, when "
            + "--question is not given (repeat for relations).")
    List<String> focus = List.of();

    @Option(names = "--truncated", description = "The answer was cut by the token limit: drop its incomplete last line.")
    boolean truncated;

    @Override
    public Integer call() {
        Task task = taskOptions.parsedTask();
        ClinicalNote note = taskOptions.readNote();
        String asked = question(task);
        String raw = TextFiles.read(response, "response");
        Parsed<?> parsed = TaskParsers.parse(TaskType.of(task), note, asked, raw, truncated);
        PrintWriter out = spec.commandLine().getOut();
        if (taskOptions.json) {
            out.println(Json.GSON.toJson(TaskJson.parsed(task, parsed.value(), parsed.grounding(), truncated)));
        } else {
            TaskText.print(out, parsed.value());
            TaskText.printGrounding(out, parsed.grounding());
        }
        out.flush();
        return 0;
    }

    /** The question to parse with: --question as given, else the client's question for --type / --focus, else none. */
    private String question(Task task) {
        if (question != null) {
            if (type != null || !focus.isEmpty()) {
                throw new InvalidInputException("Give either --question or --type/--focus, not both");
            }
            if (question.isBlank()) {
                throw new InvalidInputException("--question is empty");
            }
            return question;
        }
        if (type != null) {
            if (task != Task.ENTITIES) {
                throw new InvalidInputException("--type is only for --task entities");
            }
            if (!focus.isEmpty()) {
                throw new InvalidInputException("--task entities takes --type, not --focus");
            }
            return TaskParsers.question(task, List.of(type));
        }
        if (task == Task.ENTITIES && !focus.isEmpty()) {
            throw new InvalidInputException("--task entities takes --type TYPE, not --focus");
        }
        if (task == Task.QUESTION_ANSWERING && !focus.isEmpty()) {
            throw new InvalidInputException("--task ask takes --question, not --focus");
        }
        return focus.isEmpty() ? "" : TaskParsers.question(task, focus);
    }
}
