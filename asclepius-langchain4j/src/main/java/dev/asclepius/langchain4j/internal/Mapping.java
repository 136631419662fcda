package dev.asclepius.langchain4j.internal;

import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LanguageModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import java.util.Map;

/** How an Asclepius {@link GenerationResult} reads in langchain4j's terms. */
public final class Mapping {
    /** Response metadata key holding the Asclepius finish reason ({@code EOS}, {@code STOP_STRING}, ...). */
    public static final String FINISH_REASON_KEY = "asclepius.finish_reason";

    private Mapping() {
    }

    /**
     * langchain4j has one "stopped by itself" reason and one "ran out of room" reason: the end-of-sequence
     * token, a stop token and a stop string are all STOP; the token budget and a full context window are both
     * LENGTH (the answer was cut), which is what a caller must act on. The exact reason stays in the metadata.
     */
    public static FinishReason finishReason(dev.asclepius.core.FinishReason reason) {
        return switch (reason) {
            case EOS, STOP_TOKEN, STOP_STRING -> FinishReason.STOP;
            case MAX_TOKENS, CONTEXT_FULL -> FinishReason.LENGTH;
        };
    }

    /** Prompt tokens (BOS included) in, generated tokens (a final stop token included) out. */
    public static TokenUsage tokenUsage(GenerationResult result) {
        return new TokenUsage(result.promptTokens(), result.generatedTokens());
    }

    /** The text with its token usage, finish reason and the Asclepius finish reason as metadata. */
    public static Response<String> response(GenerationResult result) {
        return Response.from(result.text(), tokenUsage(result), finishReason(result.finishReason()),
                Map.of(FINISH_REASON_KEY, result.finishReason().name()));
    }

    /**
     * A name for the model in langchain4j responses: a remote model's name as its server knows it (e.g.
     * {@code starmpcc/Asclepius-7B}), a local model's folder name.
     */
    public static String modelName(LanguageModel model) {
        String name = model.info().source().name();
        return name.isBlank() ? "asclepius" : name;
    }
}
