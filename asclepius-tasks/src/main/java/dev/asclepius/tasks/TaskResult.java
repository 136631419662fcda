package dev.asclepius.tasks;

import dev.asclepius.core.FinishReason;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a task returned: the typed value, every question/answer exchange behind it, and how well the
 * value was grounded in the note. Tasks that ask several questions (entities asks one per kind) merge
 * the answers into one value and keep each exchange.
 *
 * @param value     the typed result
 * @param exchanges the questions sent and raw answers, in order (at least one)
 * @param grounding tally of how the extracted items were found in the note
 */
public record TaskResult<T>(T value, List<Exchange> exchanges, Grounding grounding) {
    public TaskResult {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(grounding, "grounding");
        exchanges = List.copyOf(exchanges);
    }

    /** The instruction of the first (for most tasks: the only) exchange. */
    public String instruction() {
        return exchanges.isEmpty() ? "" : exchanges.get(0).instruction();
    }

    /** The raw response of the first (for most tasks: the only) exchange. */
    public String rawResponse() {
        return exchanges.isEmpty() ? "" : exchanges.get(0).rawResponse();
    }

    public List<String> instructions() {
        return exchanges.stream().map(Exchange::instruction).toList();
    }

    public List<String> rawResponses() {
        return exchanges.stream().map(Exchange::rawResponse).toList();
    }

    public List<FinishReason> finishReasons() {
        return exchanges.stream().map(Exchange::finishReason).toList();
    }

    public int promptTokens() {
        return exchanges.stream().mapToInt(Exchange::promptTokens).sum();
    }

    public int generatedTokens() {
        return exchanges.stream().mapToInt(Exchange::generatedTokens).sum();
    }

    /** Wall time of all exchanges together. */
    public Duration totalTime() {
        return exchanges.stream().map(Exchange::wallTime).reduce(Duration.ZERO, Duration::plus);
    }

    /** Some answer was cut by the token limit (its cut last list item was dropped). */
    public boolean truncated() {
        return exchanges.stream().anyMatch(Exchange::truncated);
    }
}
