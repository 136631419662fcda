package dev.asclepius.tasks;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A clinical entity the model listed.
 *
 * @param text   the entity as the model wrote it (dosage and result split off)
 * @param type   its kind
 * @param dosage dose, route or frequency when the answer gives one (medications)
 * @param result finding or value when the answer gives one (tests)
 * @param status negated / historical when the answer says so
 * @param spans  every mention of {@code text} in the note; empty when not found
 */
public record Entity(String text, EntityType type, Optional<String> dosage, Optional<String> result,
                     Optional<EntityStatus> status, List<Span> spans) {
    public Entity {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(dosage, "dosage");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(status, "status");
        spans = List.copyOf(spans);
    }

    /** Whether the entity was found in the note (false: the model may have invented or normalized it). */
    public boolean grounded() {
        return !spans.isEmpty();
    }
}
