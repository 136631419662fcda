package dev.asclepius.tasks;

import java.util.Objects;

/**
 * A raw answer re-parsed without a model: the typed value and how it was grounded.
 *
 * @param task      the task whose parser read the answer
 * @param value     the typed value ({@code List<Entity>}, {@code Timeline}, {@code Answer}, ...; see
 *                  the type its {@link TaskType} names; see {@link TaskParsers#parse})
 * @param grounding how its items were found in the note
 */
public record Parsed<T>(Task task, T value, Grounding grounding) {
    public Parsed {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(grounding, "grounding");
    }
}
