package dev.asclepius.langchain4j;

import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.langchain4j.internal.Mapping;
import dev.langchain4j.model.language.LanguageModel;
import dev.langchain4j.model.output.Response;
import java.util.Objects;

/**
 * langchain4j's {@link LanguageModel} (text in, text out) over any Asclepius model: a {@link
 * dev.asclepius.core.LocalModel}, a {@link dev.asclepius.core.remote.RemoteModel} or your own implementation.
 *
 * <p>The prompt goes to the model as given (the tokenizer adds BOS): this is raw completion, so wrap your
 * note and question in {@link dev.asclepius.core.PromptTemplate} yourself, or use {@link AsclepiusChatModel},
 * which does. The response carries the token usage (prompt tokens, BOS included; generated tokens) and the
 * finish reason ({@code STOP} for EOS, a stop token or a stop string; {@code LENGTH} when the answer was cut
 * by the token budget or the context window); the exact Asclepius finish reason is in the metadata under
 * {@link #FINISH_REASON_KEY}.
 *
 * <p>The adapter does not own the model: close the model yourself when you are done. Thread-safe as the
 * model is.
 */
public final class AsclepiusLanguageModel implements LanguageModel {
    /** Response metadata key of the Asclepius finish reason (an {@link dev.asclepius.core.FinishReason} name). */
    public static final String FINISH_REASON_KEY = Mapping.FINISH_REASON_KEY;

    private final dev.asclepius.core.LanguageModel model;
    private final GenerationConfig config;

    private AsclepiusLanguageModel(dev.asclepius.core.LanguageModel model, GenerationConfig config) {
        this.model = Objects.requireNonNull(model, "model");
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Generates with {@code config} (token budget, sampling, stops). */
    public static AsclepiusLanguageModel of(dev.asclepius.core.LanguageModel model, GenerationConfig config) {
        return new AsclepiusLanguageModel(model, config);
    }

    /** Greedy decoding with the default budget of {@value GenerationConfig#DEFAULT_MAX_NEW_TOKENS} new tokens. */
    public static AsclepiusLanguageModel of(dev.asclepius.core.LanguageModel model) {
        return of(model, GenerationConfig.greedy());
    }

    @Override
    public Response<String> generate(String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        GenerationResult result = model.generate(prompt, config);
        return Mapping.response(result);
    }

    /** The generation settings every call uses. */
    public GenerationConfig config() {
        return config;
    }
}
