package dev.asclepius.tasks;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Something that happened (or is planned) at a stated time.
 *
 * @param order          1-based position in the model's answer
 * @param event          what happened, as the model wrote it
 * @param timeExpression the time as written ("03/14/2019", "hospital day 3", "for 5 days")
 * @param normalized     its parsed value, when it could be parsed
 * @param eventSpans     mentions of {@code event} in the note
 * @param timeSpans      mentions of {@code timeExpression} in the note
 */
public record TimelineEvent(int order, String event, String timeExpression, Optional<NormalizedTime> normalized,
                            List<Span> eventSpans, List<Span> timeSpans) {
    public TimelineEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(timeExpression, "timeExpression");
        Objects.requireNonNull(normalized, "normalized");
        eventSpans = List.copyOf(eventSpans);
        timeSpans = List.copyOf(timeSpans);
    }

    /** The time expression was found in the note. */
    public boolean grounded() {
        return !timeSpans.isEmpty();
    }
}
