package dev.asclepius.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asclepius.core.internal.checkpoint.StorageType;
import dev.asclepius.core.internal.demo.RandomModelSpec;
import dev.asclepius.core.internal.demo.RandomModelWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** How the program talks to people: option names in errors, short usage errors, documented options, load progress. */
class CliMannersTest {
    @TempDir
    static Path tmp;

    static Path model;
    static Path note;

    @BeforeAll
    static void writeModelAndNote() throws IOException {
        model = tmp.resolve("tiny");
        RandomModelWriter.write(model, new RandomModelSpec("llama", 32000, 32, 64, 2, 4, 4, 512, false, StorageType.F32, 7, 0));
        note = tmp.resolve("note.txt");
        Files.writeString(note, "Discharge Diagnosis: pneumonia. Discharge Medications: amoxicillin 875 mg PO BID.");
    }

    private static List<CommandSpec> allCommands() {
        List<CommandSpec> specs = new ArrayList<>();
        CommandLine root = new CommandLine(new AsclepiusCli());
        specs.add(root.getCommandSpec());
        root.getSubcommands().values().forEach(c -> specs.add(c.getCommandSpec()));
        return specs;
    }

    @Test
    void everyOptionHasADescriptionAndShowsItsDefault() {
        List<String> problems = new ArrayList<>();
        for (CommandSpec command : allCommands()) {
            for (OptionSpec option : command.options()) {
                if (option.usageHelp() || option.versionHelp()) {
                    continue;
                }
                String name = command.qualifiedName() + " " + option.longestName();
                String description = String.join(" ", option.description());
                if (description.isBlank()) {
                    problems.add(name + ": no description");
                }
                boolean flag = option.typeInfo().getType() == boolean.class;
                // picocli has put the value in for ${DEFAULT-VALUE} by now
                if (option.defaultValue() != null && !flag && !description.contains("default: " + option.defaultValue())) {
                    problems.add(name + ": default " + option.defaultValue() + " not shown");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void batchUsageShowsTheTaskListOnce() {
        String usage = new CommandLine(new AsclepiusCli()).getSubcommands().get("batch").getUsageMessage();
        assertThat(usage).contains("--tasks=TASK[,TASK...]").doesNotContain("TASK[,TASK...][,");
    }

    @Test
    void aMissingOptionIsOneLineWithAHelpHint() {
        Cli cli = Cli.run("run", "--task", "entities", "--note", note.toString());
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err().lines().toList()).containsExactly("error: Missing required option: '--model=DIR|ORG/NAME'",
                "Run 'asclepius run --help' for its options.");
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void aMistypedOptionSuggestsTheRightOne() {
        Cli cli = Cli.run("demo", "--max-new-token", "4");
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err()).startsWith("error: Unknown option").contains("--max-new-tokens")
                .contains("Run 'asclepius demo --help'");
        assertThat(cli.err().lines().count()).isLessThan(6);
    }

    @Test
    void invalidGenerationSettingsNameTheOption() {
        Cli topP = Cli.run("generate", "--model", model.toString(), "--prompt", "hi", "--top-p", "2");
        assertThat(topP.exitCode()).isEqualTo(2);
        assertThat(topP.err()).startsWith("error: --top-p must be in (0, 1]").doesNotContain("topP")
                .contains("Run 'asclepius generate --help'");
        Cli tokens = Cli.run("run", "--model", model.toString(), "--task", "summary", "--note", note.toString(),
                "--max-new-tokens", "0");
        assertThat(tokens.err()).startsWith("error: --max-new-tokens must be > 0").doesNotContain("maxNewTokens");
        Cli threads = Cli.run("generate", "--model", model.toString(), "--prompt", "hi", "--threads", "0");
        assertThat(threads.err()).startsWith("error: --threads must be > 0");
        assertThat(OptionErrors.withOptionNames("repetitionPenalty must be a finite value > 0 (1 = off), got 0.0"))
                .isEqualTo("--repetition-penalty must be a finite value > 0 (1 = off), got 0.0");
    }

    private static Set<Path> demoFolders() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("asclepius-demo-")).collect(Collectors.toSet());
        }
    }

    @Test
    void demoRefusesAZeroBudgetBeforeWritingTheModel() throws IOException {
        Set<Path> before = demoFolders();
        Cli cli = Cli.run("demo", "--max-new-tokens", "0");
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThat(cli.err()).startsWith("error: --max-new-tokens must be > 0");
        assertThat(cli.out()).doesNotContain("Wrote a random");
        assertThat(demoFolders()).isEqualTo(before);
    }

    @Test
    void cutAnswersAreNotReportedAsNamingNothing() {
        Cli cli = Cli.run("run", "--model", model.toString(), "--task", "entities", "--focus", "medication",
                "--note", note.toString(), "--max-new-tokens", "1");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        // One token cannot hold a complete line, and a cut last line is dropped: nothing is left.
        assertThat(cli.out()).startsWith("(none: the answer was cut at --max-new-tokens before naming anything complete")
                .doesNotContain("names nothing");
    }

    @Test
    void loadingPrintsProgressToStderrAndKeepsJsonOnStdout() {
        Cli cli = Cli.run("generate", "--model", model.toString(), "--prompt", "Hello", "--max-new-tokens", "2", "--json");
        assertThat(cli.exitCode()).as(cli.toString()).isZero();
        assertThat(cli.err()).contains("loading weights: ").contains(", 21 of 21 tensors,").contains(", done");
        assertThat(cli.out()).startsWith("{").doesNotContain("loading weights");
    }

    @Test
    void progressOffATerminalIsALineEveryFewSecondsAndTheLast() {
        StringWriter text = new StringWriter();
        ModelOptions.ProgressPrinter printer = new ModelOptions.ProgressPrinter(new PrintWriter(text), false);
        long[] seconds = {0, 2, 3, 6, 7, 12};
        for (int i = 0; i < seconds.length; i++) {
            printer.onProgress(new dev.asclepius.core.LoadProgress(i * 10L, 60, i, 6, Duration.ofSeconds(seconds[i])));
        }
        printer.onProgress(new dev.asclepius.core.LoadProgress(60, 60, 6, 6, Duration.ofSeconds(13)));
        // 0 s: quiet (fast loads print only the end); 2 s: first line; 7 s and 12 s: 5 s after the last; then done.
        assertThat(text.toString().lines().toList()).hasSize(4).allMatch(l -> l.startsWith("loading weights: "));
        assertThat(text.toString()).doesNotContain("\r").contains("(16%)").contains("(66%)").endsWith(", done"
                + System.lineSeparator());
    }
}
