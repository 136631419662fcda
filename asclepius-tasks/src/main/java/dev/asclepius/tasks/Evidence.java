package dev.asclepius.tasks;

import java.util.List;
import java.util.Objects;

/**
 * A piece of an answer that quotes the note.
 *
 * @param quote the quoted text as the model wrote it
 * @param spans where the note says it; empty when the quote is not in the note
 */
public record Evidence(String quote, List<Span> spans) {
    public Evidence {
        Objects.requireNonNull(quote, "quote");
        spans = List.copyOf(spans);
    }

    public boolean grounded() {
        return !spans.isEmpty();
    }
}
