package dev.asclepius.core;

/**
 * A causal language model that turns a prompt into generated text. The local DJL engine
 * ({@link LocalModel}) is one implementation; a remote server can be another, so callers depend on
 * this interface only.
 *
 * <p>Implementations are thread-safe: concurrent calls are allowed (the local engine serves them one at a
 * time). {@link #close()} releases native memory; calls after (or racing with) close fail with
 * {@link ModelClosedException}.
 */
public interface LanguageModel extends AutoCloseable {

    /**
     * Generates a continuation of {@code promptIds} (which already include BOS if the model wants one).
     *
     * <p>When prompt plus {@code maxNewTokens} exceeds the context, generation stops when the context is
     * full ({@link FinishReason#CONTEXT_FULL}).
     *
     * @throws ContextLengthExceededException if the prompt alone fills the context (before any compute)
     * @throws InvalidInputException          if the prompt is empty or holds ids outside the vocabulary
     */
    GenerationResult generate(int[] promptIds, GenerationConfig config, TokenListener listener);

    default GenerationResult generate(int[] promptIds, GenerationConfig config) {
        return generate(promptIds, config, TokenListener.NONE);
    }

    /**
     * Tokenizes {@code prompt} (adding BOS as configured) and generates. Models without a local tokenizer
     * (a remote server's) override this to send the text as it is.
     *
     * @throws UnsupportedModelException if the model has no local tokenizer and does not override this method
     */
    default GenerationResult generate(String prompt, GenerationConfig config, TokenListener listener) {
        TextTokenizer t = tokenizer().orElseThrow(() -> new UnsupportedModelException(getClass().getSimpleName()
                + " has no local tokenizer, so it cannot turn a text prompt into ids: give it a tokenizer, or "
                + "generate from token ids (generate(int[], ...))."));
        return generate(t.encode(prompt), config, listener);
    }

    default GenerationResult generate(String prompt, GenerationConfig config) {
        return generate(prompt, config, TokenListener.NONE);
    }

    /**
     * Generates for several text prompts, one result per prompt in order. Implementations serve them
     * together where they can: the local engine decodes them as one batch and computes their common prefix
     * (the template and the note, when several questions are asked about one note) once; a remote backend
     * sends them concurrently. This default runs them one after another.
     */
    default java.util.List<GenerationResult> generateAll(java.util.List<String> prompts, GenerationConfig config) {
        java.util.List<GenerationResult> results = new java.util.ArrayList<>();
        for (String prompt : prompts) {
            results.add(generate(prompt, config));
        }
        return results;
    }

    /**
     * Starts generating and returns at once: the future completes with the result, or fails with what
     * {@link #generate(int[], GenerationConfig, TokenListener)} would throw. {@code cancel(true)} (or any
     * other completion of the future, e.g. {@code orTimeout}) stops the generation at its next token and
     * frees what it holds; one cancelled before it starts never runs. The listener is told each token in
     * order, never concurrently, and not after the future is done (a call already under way excepted).
     *
     * <p>The local model runs it in its batch scheduler: a cancelled row leaves the batch at the next decode
     * step, its KV cache is freed and the other rows go on unchanged. This default runs {@code generate} on
     * a thread of its own and checks for cancellation between tokens (so it streams, even with
     * {@link TokenListener#NONE}); a cancellation during the prompt takes effect at the first token.
     */
    default java.util.concurrent.CompletableFuture<GenerationResult> generateAsync(int[] promptIds,
            GenerationConfig config, TokenListener listener) {
        java.util.Objects.requireNonNull(promptIds, "promptIds");
        java.util.Objects.requireNonNull(config, "config");
        java.util.Objects.requireNonNull(listener, "listener");
        return dev.asclepius.core.internal.generate.AsyncGeneration.start(listener,
                checked -> generate(promptIds, config, checked));
    }

    /** {@link #generateAsync(int[], GenerationConfig, TokenListener)} for a text prompt (tokenized as by {@code generate}). */
    default java.util.concurrent.CompletableFuture<GenerationResult> generateAsync(String prompt,
            GenerationConfig config, TokenListener listener) {
        java.util.Objects.requireNonNull(prompt, "prompt");
        java.util.Objects.requireNonNull(config, "config");
        java.util.Objects.requireNonNull(listener, "listener");
        return dev.asclepius.core.internal.generate.AsyncGeneration.start(listener,
                checked -> generate(prompt, config, checked));
    }

    /**
     * The model's tokenizer on this machine: always present for {@link LocalModel} and a GGUF model; empty
     * for a remote model unless one was configured (its server tokenizes text prompts). Callers that need
     * token ids or counts say what to do when it is empty; the client falls back to the token counts the
     * server reports.
     */
    java.util.Optional<TextTokenizer> tokenizer();

    /** What is known about the model; facts it cannot know (a remote model's shape) are absent, not zero. */
    ModelInfo info();

    @Override
    void close();
}
