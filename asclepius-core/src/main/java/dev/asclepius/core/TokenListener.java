package dev.asclepius.core;

/**
 * Receives generated text as it is produced. Called once per generated token, with the text that token
 * completes: possibly empty (a multi-byte character split over several tokens arrives whole with its last
 * token; text that might start a stop string is held back until it cannot). The deltas concatenate to
 * {@link GenerationResult#text()}, and all of them have been delivered when the generation returns.
 *
 * <p>Calls for one generation come in order and never concurrently. {@link LocalModel} makes them on a
 * thread of that generation's own, never on the thread that decodes the batch: a listener that blocks
 * delays only its own generation's result, not the other rows'. Other backends call it on the generating
 * thread. A listener that throws ends its own generation, which fails with that exception.
 */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = (delta, tokenId) -> { };

    void onToken(String textDelta, int tokenId);
}
