package dev.asclepius.tasks;

import java.util.List;
import java.util.Objects;

/**
 * An abbreviation and the expansion the model gave.
 *
 * @param shortForm the abbreviation as written by the model
 * @param expansion its long form
 * @param spans     every occurrence of the short form in the note; empty when not found
 */
public record Abbreviation(String shortForm, String expansion, List<Span> spans) {
    public Abbreviation {
        Objects.requireNonNull(shortForm, "shortForm");
        Objects.requireNonNull(expansion, "expansion");
        spans = List.copyOf(spans);
    }

    public boolean grounded() {
        return !spans.isEmpty();
    }
}
