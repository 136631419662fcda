package dev.asclepius.cli;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.InvalidInputException;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Turns the library's option errors into the program's: the library names its Java fields
 * ({@code maxNewTokens must be > 0}), a user of the program typed {@code --max-new-tokens}. Thrown as a
 * picocli usage error, so it prints as one line with a {@code --help} hint (see {@link AsclepiusCli}).
 */
final class OptionErrors {
    /** Library field name (as messages start) to the program's option. */
    private static final Map<String, String> OPTIONS = Map.ofEntries(
            Map.entry("maxNewTokens", "--max-new-tokens"),
            Map.entry("temperature", "--temperature"),
            Map.entry("topK", "--top-k"),
            Map.entry("topP", "--top-p"),
            Map.entry("repetitionPenalty", "--repetition-penalty"),
            Map.entry("stop strings", "--stop values"),
            Map.entry("threads", "--threads"),
            Map.entry("decodeThreads", "--decode-threads"),
            Map.entry("numBeams", "--num-beams"),
            Map.entry("lengthPenalty", "--length-penalty"),
            Map.entry("early stopping", "--early-stopping"));

    private OptionErrors() {
    }

    /** {@code builder.build()}, with an invalid setting reported by its option name as a usage error. */
    static GenerationConfig build(CommandSpec spec, GenerationConfig.Builder builder) {
        try {
            return builder.build();
        } catch (InvalidInputException e) {
            throw new ParameterException(spec.commandLine(), withOptionNames(e.getMessage()), e);
        }
    }

    /** The message with a leading library field name replaced by its option ({@code --top-p must be in (0, 1] ...}). */
    static String withOptionNames(String message) {
        for (Map.Entry<String, String> e : OPTIONS.entrySet()) {
            if (message.startsWith(e.getKey() + " ")) {
                return e.getValue() + message.substring(e.getKey().length());
            }
        }
        return message;
    }
}
