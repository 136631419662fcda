package dev.asclepius.cli.serve;

import dev.asclepius.core.AsclepiusException;
import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.internal.wire.Choice;
import dev.asclepius.core.internal.wire.CompletionCodec;
import dev.asclepius.core.internal.wire.CompletionResponse;
import dev.asclepius.core.internal.wire.StopReason;
import dev.asclepius.core.internal.wire.Usage;
import java.util.List;
import java.util.Optional;

/**
 * The completions endpoint's answers as the shared wire records ({@link CompletionCodec} writes them, as
 * OpenAI shapes them, with vLLM's {@code stop_reason} and {@code token_ids}): what a {@link GenerationResult}
 * says in the protocol's terms.
 */
final class CompletionJson {
    private final LanguageModel model;
    private final String modelName;

    CompletionJson(LanguageModel model, String modelName) {
        this.model = model;
        this.modelName = modelName;
    }

    /** A whole (non-streaming) completion: one choice and the usage. */
    String completion(String id, GenerationResult result, CompletionRequest request) {
        return write(id, List.of(finalChoice(result.text(), result, request)), Optional.of(usage(result)));
    }

    /** A streamed text delta. */
    String delta(String id, String text) {
        return write(id, List.of(Choice.delta(text)), Optional.empty());
    }

    /** The stream's last choice chunk: no text, the finish reason (and the token ids when asked for). */
    String finish(String id, GenerationResult result, CompletionRequest request) {
        return write(id, List.of(finalChoice("", result, request)), Optional.empty());
    }

    /** OpenAI's usage chunk ({@code stream_options.include_usage}): no choices, the usage. */
    String usageChunk(String id, GenerationResult result) {
        return write(id, List.of(), Optional.of(usage(result)));
    }

    private String write(String id, List<Choice> choices, Optional<Usage> usage) {
        return CompletionCodec.writeResponse(new CompletionResponse(id, System.currentTimeMillis() / 1000, modelName,
                choices, usage));
    }

    private Choice finalChoice(String text, GenerationResult result, CompletionRequest request) {
        return new Choice(0, text, Optional.of(finishReason(result.finishReason())), stopReason(result, request),
                request.returnTokenIds() ? Optional.of(result.tokenIds()) : Optional.empty());
    }

    private static String finishReason(FinishReason reason) {
        return switch (reason) {
            case EOS, STOP_TOKEN, STOP_STRING -> "stop";
            case MAX_TOKENS, CONTEXT_FULL -> "length";
        };
    }

    /** As vLLM: none for EOS or length, the token id for a stop token, the matched string for a stop string. */
    private Optional<StopReason> stopReason(GenerationResult result, CompletionRequest request) {
        List<Integer> ids = result.tokenIds();
        return switch (result.finishReason()) {
            case STOP_TOKEN -> Optional.of(new StopReason.Token(ids.get(ids.size() - 1)));
            case STOP_STRING -> Optional.of(new StopReason.Text(matchedStop(result, request.config().stopStrings())));
            default -> Optional.empty();
        };
    }

    /** The result's text ends before the stop string; the full decode shows which one matched first. */
    private String matchedStop(GenerationResult result, List<String> stops) {
        List<Integer> ids = result.tokenIds();
        String full;
        try {
            full = model.tokenizer().orElseThrow(() -> new AsclepiusException("no local tokenizer"))
                    .decode(ids.stream().mapToInt(Integer::intValue).toArray());
        } catch (AsclepiusException e) {
            return stops.get(0);
        }
        int from = Math.max(0, Math.min(result.text().length(), full.length()));
        String best = stops.get(0);
        int bestAt = Integer.MAX_VALUE;
        for (String s : stops) {
            int at = full.indexOf(s, Math.max(0, from - s.length() + 1));
            if (at >= 0 && at < bestAt) {
                bestAt = at;
                best = s;
            }
        }
        return best;
    }

    private static Usage usage(GenerationResult result) {
        return Usage.of(result.promptTokens(), result.generatedTokens(), result.cachedPromptTokens());
    }
}
