package dev.asclepius.cli;

import com.google.gson.JsonObject;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.tasks.AsclepiusClient;
import dev.asclepius.tasks.CorpusProgress;
import dev.asclepius.tasks.CorpusRun;
import dev.asclepius.tasks.Task;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code asclepius batch}: chosen tasks over a corpus of notes (JSONL or a folder of .txt files) into a
 * JSONL file, one complete line per note, resumable. This class checks the options and runs the corpus;
 * reading the input is {@link BatchNotes} (with {@link BatchLineReader}), resuming {@link BatchResume},
 * the output lines {@link BatchOutput}, the progress display {@link BatchProgress}.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = {"Run tasks over many notes (a JSONL file or a folder of .txt files) and write one JSON line "
                + "per note to --output. A rerun skips the note ids already in the output (error lines included, "
                + "unless --retry-errors) and appends; a line cut by a kill is dropped first."})
final class BatchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = "--tasks", required = true, split = ",", paramLabel = "TASK[,TASK...]", hideParamSyntax = true,
            description = "entities, abbreviations, relations, timeline, coreferences, paraphrase, summary, ask "
                    + "(ask needs --question).")
    List<String> tasks;

    @Option(names = "--question", paramLabel = "TEXT", description = "A question asked of every note (repeatable).")
    List<String> questions = new ArrayList<>();

    @Option(names = "--input", required = true, paramLabel = "FILE.jsonl|DIR",
            description = "JSONL with one note per line ({\"id\": ..., \"text\": ...}), or a folder of .txt files "
                    + "(id: the file name without .txt; sorted by name).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "FILE.jsonl", description = "Results, one JSON line per note (appended to).")
    Path output;

    @Option(names = "--id-field", defaultValue = "id", paramLabel = "NAME", description = "JSONL field with the note id (default: ${DEFAULT-VALUE}).")
    String idField;

    @Option(names = "--text-field", defaultValue = "text", paramLabel = "NAME", description = "JSONL field with the note text (default: ${DEFAULT-VALUE}).")
    String textField;

    @Option(names = "--max-new-tokens", defaultValue = "400", paramLabel = "N", description = "Token budget per question (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--workers", defaultValue = "1", paramLabel = "N", description = "BatchNotes analysed at once (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--retry-errors", description = "On a rerun, drop the error lines of the output and run those notes again.")
    boolean retryErrors;

    @Option(names = "--fail-on-error",
            description = "Exit with code 1 when any note of this run failed (an error line was written); by default the"
                    + " exit code is 0 once the run completes.")
    boolean failOnError;

    @Option(names = "--progress-every", defaultValue = "100", paramLabel = "N",
            description = "Without a terminal: a progress line every N notes or 10 s, whichever comes first (default: ${DEFAULT-VALUE}).")
    int progressEvery;

    @Override
    public Integer call() throws IOException {
        // Check everything the user typed before the model loads.
        Set<Task> taskSet = EnumSet.noneOf(Task.class);
        tasks.forEach(t -> taskSet.add(Task.parse(t)));
        if (taskSet.contains(Task.QUESTION_ANSWERING) && questions.isEmpty()) {
            throw new InvalidInputException("--tasks ask needs --question \"...\"");
        }
        if (maxNewTokens < 1 || workers < 1 || progressEvery < 1) {
            throw new InvalidInputException("--max-new-tokens, --workers and --progress-every must be >= 1");
        }
        if (!Files.exists(input)) {
            throw new InvalidInputException("The input " + input + " does not exist.");
        }
        if (Files.isDirectory(output)) {
            throw new InvalidInputException("The output " + output + " is a folder: give a .jsonl file.");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        BatchResume resume = BatchResume.prepare(output, retryErrors);
        if (resume.droppedPartial()) {
            err.println("output: dropped a cut last line (interrupted run); its note runs again");
        }
        if (resume.droppedErrors() > 0) {
            err.println("output: dropped " + resume.droppedErrors() + " error line(s) to retry them");
        }
        Set<String> done = resume.ids();
        BatchNotes notes = Files.isDirectory(input) ? BatchNotes.folder(input, done)
                : BatchNotes.jsonl(input, idField, textField, done);

        GenerationConfig generation = GenerationConfig.builder().maxNewTokens(maxNewTokens).build();
        BatchProgress progress = new BatchProgress(err, System.console() != null, progressEvery);
        CorpusProgress summary;
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (AsclepiusClient client = AsclepiusClient.builder().model(modelOptions.loadAny()).closeModel(true)
                .generation(generation).build();
             OutputStream sink = new FileOutputStream(output.toFile(), true);
             notes) {
            CorpusRun run = CorpusRun.builder(client).tasks(taskSet).questions(questions).workers(workers)
                    .listener(progress).build();
            if (notes.withoutId() > 0) {
                err.println("input: " + notes.withoutId() + " line(s) have no \"" + idField + "\" field; they run with"
                        + " the id line-N (N: the line number). If the ids are in another field, give --id-field NAME.");
            }
            summary = run.run(notes, OptionalLong.of(notes.remaining()), result -> {
                // One write of the whole line, then flush: a kill leaves whole lines plus at most one cut tail.
                Optional<String> problem = notes.problem(result.index());
                JsonObject json = problem.isPresent() ? BatchOutput.inputError(result, problem.get())
                        : BatchOutput.line(result, taskSet);
                byte[] line = (Json.GSON.toJson(json) + "\n").getBytes(StandardCharsets.UTF_8);
                try {
                    sink.write(line);
                    sink.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        progress.finish(summary);
        out.printf(Locale.ROOT, "notes: %d, ok: %d, errors: %d, skipped (already in output): %d, time: %.2f s, "
                        + "%.2f notes/s, %.1f tokens/s (%d generated)%n",
                summary.done(), summary.ok(), summary.errors(), notes.skipped(), summary.elapsed().toNanos() / 1e9,
                summary.notesPerSecond(), summary.tokensPerSecond(), summary.generatedTokens());
        out.flush();
        if (failOnError && summary.errors() > 0) {
            err.println("--fail-on-error: " + summary.errors() + " note(s) failed; see the error lines in " + output);
            err.flush();
            return 1;
        }
        return 0;
    }
}
