package dev.asclepius.core;

/**
 * Receives generated text as it is produced. Called on the generating thread, once per token whose
 * text is complete (a multi-byte character split over tokens arrives once whole); the deltas
 * concatenate to the final text. Text held back because it might start a stop string is delivered
 * once it cannot.
 */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = (delta, tokenId) -> { };

    void onToken(String textDelta, int tokenId);
}
