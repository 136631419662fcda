package dev.asclepius.tasks;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A plainer rewording.
 *
 * @param original      the sentence or term that was paraphrased; empty for the whole note
 * @param text          the paraphrase, with preambles ("Sure! In simpler terms:") and quotes removed
 * @param originalSpans occurrences of {@code original} in the note
 */
public record Paraphrase(Optional<String> original, String text, List<Span> originalSpans) {
    public Paraphrase {
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(text, "text");
        originalSpans = List.copyOf(originalSpans);
    }
}
