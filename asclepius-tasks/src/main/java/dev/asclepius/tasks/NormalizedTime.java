package dev.asclepius.tasks;

import java.util.Objects;

/**
 * A time expression in a machine-readable form.
 *
 * @param kind  what the value is
 * @param value {@link Kind#DATE}: ISO-8601 date ({@code 2019-03-14}, or {@code 2019-03} without a day);
 *              {@link Kind#DURATION}: ISO-8601 duration ({@code P5D}, {@code P2W}, {@code PT6H});
 *              {@link Kind#RELATIVE_DAY}: {@code hospital-day:3}, {@code post-operative-day:2} or {@code postpartum-day:6}
 */
public record NormalizedTime(Kind kind, String value) {
    public enum Kind { DATE, DURATION, RELATIVE_DAY }

    public NormalizedTime {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
    }
}
