package dev.asclepius.core;

/**
 * Receives generated text as it is produced. Called on the generating thread once per generated token,
 * with the text that token completes: possibly empty (a multi-byte character split over several tokens
 * arrives whole with its last token; text that might start a stop string is held back until it cannot).
 * The deltas concatenate to {@link GenerationResult#text()}.
 */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = (delta, tokenId) -> { };

    void onToken(String textDelta, int tokenId);
}
