package dev.asclepius.cli;

import dev.asclepius.core.AsclepiusException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code asclepius} command-line program. */
@Command(name = "asclepius", mixinStandardHelpOptions = true, version = "asclepius 0.1.0",
        description = "Run the Asclepius clinical LLM locally (DJL + PyTorch, no Python).",
        subcommands = {DemoCommand.class, GenerateCommand.class, BenchCommand.class, RandomModelCommand.class, ConvertCommand.class,
                RunCommand.class, BatchCommand.class, ParseCommand.class, EvalParseCommand.class, ServeCommand.class,
                CommandLine.HelpCommand.class})
public final class AsclepiusCli {
    /** Exit code of a user error (bad option, missing file, unusable model folder), as picocli uses for usage errors. */
    static final int USER_ERROR = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the program on stdout/stderr and returns its exit code. */
    public static int run(String... args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        try {
            return run(out, err, args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Runs the program writing to {@code out} and {@code err} (tests capture both) and returns its exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new AsclepiusCli());
        cli.setOut(out);
        cli.setErr(err);
        // Expected failures get their message, not a stack trace: library errors carry actionable messages,
        // and a file that vanished or cannot be opened is the user's to fix, not a bug.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CommandLine.ParameterException usage) {
                return usageError(usage);   // an option value a command checked itself
            }
            String message = userErrorMessage(e);
            if (message == null) {
                throw e;
            }
            commandLine.getErr().println("error: " + message);
            commandLine.getErr().flush();
            return USER_ERROR;
        });
        // Usage mistakes (unknown or missing option, bad value): one line and where to read more, not the
        // whole help (40 lines that scroll the error out of sight).
        cli.setParameterExceptionHandler((e, ignoredArgs) -> usageError(e));
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static int usageError(CommandLine.ParameterException e) {
        CommandLine failed = e.getCommandLine();
        PrintWriter w = failed.getErr();
        w.println("error: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, w);
        w.println("Run '" + failed.getCommandSpec().qualifiedName() + " --help' for its options.");
        w.flush();
        return USER_ERROR;
    }

    /** The one-line message for an error the user can fix, or null for a bug (which keeps its stack trace). */
    private static String userErrorMessage(Exception e) {
        if (e instanceof AsclepiusException) {
            return e.getMessage();
        }
        if (e instanceof NoSuchFileException missing) {
            return "file not found: " + missing.getFile();
        }
        if (e instanceof AccessDeniedException denied) {
            return "permission denied: " + denied.getFile();
        }
        if (e instanceof IOException) {
            return "I/O error: " + e.getMessage();
        }
        return null;
    }
}
