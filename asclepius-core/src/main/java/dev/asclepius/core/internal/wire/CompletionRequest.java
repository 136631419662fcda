package dev.asclepius.core.internal.wire;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@code POST /v1/completions} body as this project sends ({@code RemoteModel}) and accepts
 * ({@code asclepius serve}). Defaults are OpenAI's for a field that is absent: {@code max_tokens} 16,
 * {@code temperature} and {@code top_p} 1, {@code n} and {@code best_of} 1; the vLLM extensions
 * ({@code top_k}, {@code repetition_penalty}, {@code stop_token_ids}, {@code ignore_eos}, {@code cache_salt},
 * {@code return_token_ids}) default to "off" and are only written when on, so a plain OpenAI-compatible
 * server never sees a field it does not know.
 *
 * <p>{@code n}, {@code best_of}, {@code echo} and {@code logprobs} are read so that a server can refuse them
 * by name; this project never sets them.
 *
 * @param model             the served model's name; empty when the client left it out (servers with one model accept that)
 * @param prompt            text or token ids
 * @param maxTokens         most tokens to generate
 * @param temperature       0 is greedy
 * @param topP              nucleus sampling mass
 * @param topK              vLLM {@code top_k}; 0 (or -1 on the wire) is off
 * @param repetitionPenalty vLLM {@code repetition_penalty}; 1 is off
 * @param seed              sampling seed
 * @param stop              stop strings (a single string on the wire reads as one element)
 * @param stopTokenIds      vLLM {@code stop_token_ids}
 * @param ignoreEos         vLLM {@code ignore_eos}
 * @param cacheSalt         vLLM {@code cache_salt}: prefix-cache entries are shared only between equal salts
 * @param returnTokenIds    vLLM {@code return_token_ids}: send the generated ids back
 * @param stream            answer with server-sent events
 * @param includeUsage      {@code stream_options.include_usage}: a final usage-only chunk
 * @param n                 completions per prompt
 * @param bestOf            candidates per prompt
 * @param echo              echo the prompt back
 * @param logprobs          number of log-probabilities per token, when asked
 */
public record CompletionRequest(
        Optional<String> model,
        Prompt prompt,
        int maxTokens,
        float temperature,
        float topP,
        int topK,
        float repetitionPenalty,
        OptionalLong seed,
        List<String> stop,
        List<Integer> stopTokenIds,
        boolean ignoreEos,
        Optional<String> cacheSalt,
        boolean returnTokenIds,
        boolean stream,
        boolean includeUsage,
        int n,
        int bestOf,
        boolean echo,
        Optional<Integer> logprobs) {

    public CompletionRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(seed, "seed");
        stop = List.copyOf(stop);
        stopTokenIds = List.copyOf(stopTokenIds);
        Objects.requireNonNull(cacheSalt, "cacheSalt");
        Objects.requireNonNull(logprobs, "logprobs");
    }

    /** A request for {@code model} and {@code prompt} with every other field at its default. */
    public static CompletionRequest of(String model, Prompt prompt) {
        return new CompletionRequest(Optional.of(model), prompt, 16, 1f, 1f, 0, 1f, OptionalLong.empty(), List.of(),
                List.of(), false, Optional.empty(), false, false, false, 1, 1, false, Optional.empty());
    }

    /** This request with the sampling settings given (the rest unchanged). */
    public CompletionRequest withSampling(int maxTokens, float temperature, float topP, int topK,
                                          float repetitionPenalty, OptionalLong seed) {
        return new CompletionRequest(model, prompt, maxTokens, temperature, topP, topK, repetitionPenalty, seed, stop,
                stopTokenIds, ignoreEos, cacheSalt, returnTokenIds, stream, includeUsage, n, bestOf, echo, logprobs);
    }

    /** This request with the stop conditions given. */
    public CompletionRequest withStops(List<String> stop, List<Integer> stopTokenIds, boolean ignoreEos) {
        return new CompletionRequest(model, prompt, maxTokens, temperature, topP, topK, repetitionPenalty, seed, stop,
                stopTokenIds, ignoreEos, cacheSalt, returnTokenIds, stream, includeUsage, n, bestOf, echo, logprobs);
    }

    /** This request with the vLLM cache salt, token-id return and streaming options given. */
    public CompletionRequest withOptions(Optional<String> cacheSalt, boolean returnTokenIds, boolean stream,
                                         boolean includeUsage) {
        return new CompletionRequest(model, prompt, maxTokens, temperature, topP, topK, repetitionPenalty, seed, stop,
                stopTokenIds, ignoreEos, cacheSalt, returnTokenIds, stream, includeUsage, n, bestOf, echo, logprobs);
    }
}
