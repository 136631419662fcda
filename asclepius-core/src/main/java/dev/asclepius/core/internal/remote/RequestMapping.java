package dev.asclepius.core.internal.remote;

import dev.asclepius.core.ContextLengthExceededException;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.internal.wire.CompletionRequest;
import dev.asclepius.core.internal.wire.Prompt;
import java.util.Optional;

/**
 * A {@link GenerationConfig} as a completions request: {@code maxNewTokens} to {@code max_tokens} (shortened to
 * fit the context when the prompt length is known), sampling settings to {@code temperature}, {@code top_p},
 * {@code seed}, {@code stop}, the vLLM extensions ({@code top_k}, {@code repetition_penalty},
 * {@code stop_token_ids}, {@code ignore_eos}) and the cache scope to {@code cache_salt}. The codec leaves
 * out extensions that are off, so plain OpenAI-compatible servers see only fields they know.
 */
public final class RequestMapping {
    private RequestMapping() {
    }

    /** {@code max_tokens} for a request, and whether it was shortened to fit the context. */
    public record Budget(int maxTokens, boolean clamped) {
    }

    /**
     * The token budget: {@code config.maxNewTokens()}, or what is left of {@code contextLength} after a prompt of
     * {@code knownPromptTokens} (-1: unknown, the server checks), as the local engine generates until the
     * context is full rather than have the server reject the request.
     *
     * @throws ContextLengthExceededException when the prompt alone fills the context
     */
    public static Budget budget(int knownPromptTokens, int contextLength, GenerationConfig config) {
        int maxTokens = config.maxNewTokens();
        if (knownPromptTokens < 0) {
            return new Budget(maxTokens, false);
        }
        if (knownPromptTokens >= contextLength) {
            throw new ContextLengthExceededException(knownPromptTokens, contextLength);
        }
        if (knownPromptTokens + maxTokens > contextLength) {
            return new Budget(contextLength - knownPromptTokens, true);
        }
        return new Budget(maxTokens, false);
    }

    /**
     * The request for {@code model}; a stream asks for {@code include_usage} so token counts arrive at the end.
     */
    public static CompletionRequest request(String model, Prompt prompt, int maxTokens, GenerationConfig config,
                                            boolean stream, boolean returnTokenIds) {
        if (config.isBeamSearch()) {   // refused, not silently sent as greedy/sampled text
            throw new InvalidInputException("numBeams(" + config.numBeams() + "): the completions API has no beam "
                    + "search (vLLM serves it through a separate API), so a remote model cannot run it. Use "
                    + "numBeams(1) here, or run beam search with a LocalModel.");
        }
        return CompletionRequest.of(model, prompt)
                .withSampling(maxTokens, config.temperature(), config.topP(), config.topK(), config.repetitionPenalty(),
                        config.seed())
                .withStops(config.stopStrings(), config.stopTokenIds().stream().sorted().toList(), config.ignoreEos())
                .withOptions(config.cacheScope().isEmpty() ? Optional.empty() : Optional.of(config.cacheScope()),
                        returnTokenIds, stream, stream);
    }
}
