package dev.asclepius.core.internal.wire;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code text_completion} object: the whole answer to a non-streaming request, and (with the same shape,
 * OpenAI's design) each chunk of a streaming one. A chunk carries the delta in {@code choices[0].text}; the
 * last one the finish reason; with {@code include_usage} a final chunk has empty {@code choices} and the usage.
 *
 * <p>On read, {@code id}, {@code created} and {@code model} may be absent (several servers and many test
 * doubles leave them out; nothing here depends on them): they read as {@code ""} and 0.
 *
 * @param id      {@code cmpl-...}
 * @param created Unix seconds
 * @param model   the served model's name
 * @param choices the choices (one here; none in a usage-only chunk)
 * @param usage   token counts, when the server sends them
 */
public record CompletionResponse(String id, long created, String model, List<Choice> choices, Optional<Usage> usage)
        implements StreamData {
    /** The {@code object} value of completions and their chunks. */
    public static final String OBJECT = "text_completion";

    public CompletionResponse {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        choices = List.copyOf(choices);
        Objects.requireNonNull(usage, "usage");
    }

    /** The first choice, if any (a usage-only chunk has none). */
    public Optional<Choice> firstChoice() {
        return choices.isEmpty() ? Optional.empty() : Optional.of(choices.get(0));
    }
}
