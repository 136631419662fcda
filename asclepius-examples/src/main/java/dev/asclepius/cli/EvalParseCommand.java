package dev.asclepius.cli;

import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.eval.ParseEval;
import dev.asclepius.tasks.eval.ParseEvalReport;
import dev.asclepius.tasks.eval.TaskScore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code asclepius eval-parse}: scores the task parsers on saved answers with their expected records. */
@Command(name = "eval-parse", mixinStandardHelpOptions = true,
        description = {"Score the task parsers on a corpus of saved answers (JSON lines: id, task, note_id, note, "
                + "question, answer, truncated, expected). Prints per task item precision, item recall and span recall, "
                + "then every miss. No model is loaded.",
                "See docs/tasks.md for the line format and how items are matched."})
final class EvalParseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--cases", required = true, paramLabel = "FILE", description = "A JSON-lines file of cases; repeat for several.")
    List<Path> cases;

    @Option(names = "--no-misses", description = "Print the scores only, not the list of misses.")
    boolean noMisses;

    @Option(names = "--min", paramLabel = "X", description = "Exit with 1 when a task's precision, recall or span recall is below X (e.g. 0.95).")
    Double min;

    @Override
    public Integer call() {
        for (Path p : cases) {
            if (!Files.isRegularFile(p)) {
                throw new InvalidInputException("The cases file " + p + " does not exist or is not a file.");
            }
        }
        ParseEvalReport report = ParseEval.run(cases);
        PrintWriter out = spec.commandLine().getOut();
        String text = report.format();
        if (noMisses) {
            int cut = text.indexOf("misses:\n");
            text = cut >= 0 ? text.substring(0, cut) : text;
        }
        out.print(text);
        out.flush();
        if (min != null) {
            for (TaskScore s : report.scores()) {
                if (s.precision() < min || s.recall() < min || s.spanRecall() < min) {
                    return 1;
                }
            }
        }
        return 0;
    }
}
