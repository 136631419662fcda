package dev.asclepius.core.internal.wire;

import java.util.OptionalInt;

/**
 * The {@code usage} object. Every count is optional on read because real servers leave some out (llama.cpp
 * omits {@code total_tokens} in places, vLLM sends {@code prompt_tokens_details: null} unless started with
 * {@code --enable-prompt-tokens-details}); a count of the wrong type is still an error.
 *
 * @param promptTokens     tokens in the prompt (after the server's own tokenization and BOS)
 * @param completionTokens tokens generated
 * @param totalTokens      their sum, as the server reports it
 * @param cachedTokens     {@code prompt_tokens_details.cached_tokens}: prompt tokens served from the prefix cache
 */
public record Usage(OptionalInt promptTokens, OptionalInt completionTokens, OptionalInt totalTokens,
                    OptionalInt cachedTokens) {

    /** What {@code asclepius serve} sends: all four counts, total = prompt + completion. */
    public static Usage of(int promptTokens, int completionTokens, int cachedTokens) {
        return new Usage(OptionalInt.of(promptTokens), OptionalInt.of(completionTokens),
                OptionalInt.of(promptTokens + completionTokens), OptionalInt.of(cachedTokens));
    }
}
