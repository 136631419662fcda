package dev.asclepius.tasks;

import java.util.List;
import java.util.Objects;

/**
 * A summary of the note.
 *
 * @param text      the summary as answered, preamble removed
 * @param keyPoints its list items, or its sentences when it is prose
 */
public record Summary(String text, List<String> keyPoints) {
    public Summary {
        Objects.requireNonNull(text, "text");
        keyPoints = List.copyOf(keyPoints);
    }
}
