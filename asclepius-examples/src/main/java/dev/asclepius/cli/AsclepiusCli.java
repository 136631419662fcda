package dev.asclepius.cli;

import dev.asclepius.core.AsclepiusException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code asclepius} command-line program. */
@Command(name = "asclepius", mixinStandardHelpOptions = true, version = "asclepius 0.1.0",
        description = "Run the Asclepius clinical LLM locally (DJL + PyTorch, no Python).",
        subcommands = {DemoCommand.class, GenerateCommand.class, BenchCommand.class, RandomModelCommand.class,
                CommandLine.HelpCommand.class})
public final class AsclepiusCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the program and returns its exit code (for tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new AsclepiusCli());
        // Library errors are expected failures with actionable messages: print the message, not a stack trace.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof AsclepiusException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
