package dev.asclepius.langchain4j;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.langchain4j.internal.Mapping;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.language.StreamingLanguageModel;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * langchain4j's {@link StreamingLanguageModel} over any Asclepius model: {@code onNext} receives the text as
 * the model produces it, {@code onComplete} the whole text with token usage and finish reason (as
 * {@link AsclepiusLanguageModel} maps them), {@code onError} whatever stopped the generation. The deltas
 * concatenate to the completed text.
 *
 * <p>Tokens that complete no text (a multi-byte character split over several tokens, text held back because it
 * may start a stop string) produce no {@code onNext} call: langchain4j handlers expect non-empty deltas.
 *
 * <p>By default {@link #generate(String, StreamingResponseHandler)} runs the generation on the calling thread
 * and returns when the handler has been completed; give an {@link Executor} to return at once and generate
 * there (a local model serves one generation at a time anyway). The adapter does not own the model.
 */
public final class AsclepiusStreamingLanguageModel implements StreamingLanguageModel {
    private final dev.asclepius.core.LanguageModel model;
    private final GenerationConfig config;
    private final Executor executor;

    private AsclepiusStreamingLanguageModel(dev.asclepius.core.LanguageModel model, GenerationConfig config,
                                            Executor executor) {
        this.model = Objects.requireNonNull(model, "model");
        this.config = Objects.requireNonNull(config, "config");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** Generates with {@code config} on the calling thread. */
    public static AsclepiusStreamingLanguageModel of(dev.asclepius.core.LanguageModel model, GenerationConfig config) {
        return new AsclepiusStreamingLanguageModel(model, config, Runnable::run);
    }

    /** Greedy decoding with the default token budget, on the calling thread. */
    public static AsclepiusStreamingLanguageModel of(dev.asclepius.core.LanguageModel model) {
        return of(model, GenerationConfig.greedy());
    }

    /** Generates with {@code config} on {@code executor}: {@code generate} returns once the task is submitted. */
    public static AsclepiusStreamingLanguageModel of(dev.asclepius.core.LanguageModel model, GenerationConfig config,
                                                     Executor executor) {
        return new AsclepiusStreamingLanguageModel(model, config, executor);
    }

    @Override
    public void generate(String prompt, StreamingResponseHandler<String> handler) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(handler, "handler");
        executor.execute(() -> run(prompt, handler));
    }

    private void run(String prompt, StreamingResponseHandler<String> handler) {
        GenerationResult result;
        try {
            result = model.generate(prompt, config, (delta, tokenId) -> {
                if (!delta.isEmpty()) {
                    handler.onNext(delta);
                }
            });
        } catch (RuntimeException e) {
            // Includes an exception thrown by the handler's onNext: the generation stops there.
            handler.onError(e);
            return;
        }
        handler.onComplete(Mapping.response(result));
    }

    /** The generation settings every call uses. */
    public GenerationConfig config() {
        return config;
    }
}
