package dev.asclepius.cli;

import dev.asclepius.tasks.ClinicalNote;
import dev.asclepius.tasks.Parsed;
import dev.asclepius.tasks.Task;
import dev.asclepius.tasks.TaskParsers;
import java.io.PrintWriter;
import java.nio.file.Path;
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
                "Entities without a heading in the answer get type 'other'; an 'ask' answer is parsed without its question."})
final class ParseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TaskOptions taskOptions = new TaskOptions();

    @Option(names = "--response", required = true, paramLabel = "FILE", description = "The raw answer text, as the model wrote it.")
    Path response;

    @Option(names = "--truncated", description = "The answer was cut by the token limit: drop its incomplete last line.")
    boolean truncated;

    @Override
    public Integer call() {
        Task task = taskOptions.parsedTask();
        ClinicalNote note = taskOptions.readNote();
        String raw = TextFiles.read(response, "response");
        Parsed<?> parsed = TaskParsers.parse(task, note, raw, truncated);
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
}
