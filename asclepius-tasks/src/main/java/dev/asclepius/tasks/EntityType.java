package dev.asclepius.tasks;

/** The kinds of clinical entity the entity questions ask for. */
public enum EntityType {
    CONDITION,
    MEDICATION,
    TEST,
    PROCEDURE,
    LIFESTYLE_FACTOR,
    /** Listed by the model without a kind (only when re-parsing an answer to an unknown question). */
    OTHER
}
