package dev.asclepius.tasks;

import java.util.List;

/** The time references of a note, in the order the model listed them. */
public record Timeline(List<TimelineEvent> events) {
    public Timeline {
        events = List.copyOf(events);
    }

    public boolean isEmpty() {
        return events.isEmpty();
    }
}
