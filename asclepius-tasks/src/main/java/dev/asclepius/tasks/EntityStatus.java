package dev.asclepius.tasks;

/** An assertion the answer states about an entity. */
public enum EntityStatus {
    /** Denied or ruled out ("denies smoking", "negative for PE"). */
    NEGATED,
    /** In the past ("history of", "former smoker", "quit"). */
    HISTORICAL
}
