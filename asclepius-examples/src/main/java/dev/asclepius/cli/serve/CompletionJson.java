package dev.asclepius.cli.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.asclepius.core.AsclepiusException;
import dev.asclepius.core.FinishReason;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.LanguageModel;
import java.util.List;

/** The completions endpoint's answers in OpenAI's shape (with vLLM's {@code stop_reason} and {@code token_ids}). */
final class CompletionJson {
    private final LanguageModel model;
    private final String modelName;

    CompletionJson(LanguageModel model, String modelName) {
        this.model = model;
        this.modelName = modelName;
    }

    /** A whole (non-streaming) completion: one choice and the usage. */
    JsonObject completion(String id, GenerationResult result, CompletionRequest request) {
        JsonObject c = choice(result.text(), new JsonPrimitive(finishReason(result.finishReason())),
                stopReason(result, request), request.returnTokenIds() ? ids(result.tokenIds()) : null);
        JsonArray choices = new JsonArray();
        choices.add(c);
        JsonObject o = envelope(id);
        o.add("choices", choices);
        o.add("usage", usage(result));
        return o;
    }

    /** A streamed text delta. */
    JsonObject delta(String id, String text) {
        return chunk(id, choice(text, JsonNull.INSTANCE, JsonNull.INSTANCE, null));
    }

    /** The stream's last choice chunk: no text, the finish reason (and the token ids when asked for). */
    JsonObject finish(String id, GenerationResult result, CompletionRequest request) {
        return chunk(id, choice("", new JsonPrimitive(finishReason(result.finishReason())),
                stopReason(result, request), request.returnTokenIds() ? ids(result.tokenIds()) : null));
    }

    /** OpenAI's usage chunk ({@code stream_options.include_usage}): no choices, the usage. */
    JsonObject usageChunk(String id, GenerationResult result) {
        JsonObject u = envelope(id);
        u.add("choices", new JsonArray());
        u.add("usage", usage(result));
        return u;
    }

    private JsonObject chunk(String id, JsonObject choice) {
        JsonArray choices = new JsonArray();
        choices.add(choice);
        JsonObject o = envelope(id);
        o.add("choices", choices);
        return o;
    }

    private static JsonObject choice(String text, JsonElement finish, JsonElement stopReason, JsonArray tokenIds) {
        JsonObject c = new JsonObject();
        c.addProperty("index", 0);
        c.addProperty("text", text);
        c.add("logprobs", JsonNull.INSTANCE);
        c.add("finish_reason", finish);
        c.add("stop_reason", stopReason);
        if (tokenIds != null) {
            c.add("token_ids", tokenIds);
        }
        return c;
    }

    private JsonObject envelope(String id) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("object", "text_completion");
        o.addProperty("created", System.currentTimeMillis() / 1000);
        o.addProperty("model", modelName);
        return o;
    }

    private static JsonArray ids(List<Integer> ids) {
        JsonArray a = new JsonArray(ids.size());
        ids.forEach(a::add);
        return a;
    }

    private static String finishReason(FinishReason reason) {
        return switch (reason) {
            case EOS, STOP_TOKEN, STOP_STRING -> "stop";
            case MAX_TOKENS, CONTEXT_FULL -> "length";
        };
    }

    /** As vLLM: null for EOS or length, the token id for a stop token, the matched string for a stop string. */
    private JsonElement stopReason(GenerationResult result, CompletionRequest request) {
        List<Integer> ids = result.tokenIds();
        switch (result.finishReason()) {
            case STOP_TOKEN:
                return new JsonPrimitive(ids.get(ids.size() - 1));
            case STOP_STRING: {
                // The result's text ends before the stop string; the full decode shows which one matched first.
                List<String> stops = request.config().stopStrings();
                String full;
                try {
                    full = model.tokenizer().decode(ids.stream().mapToInt(Integer::intValue).toArray());
                } catch (AsclepiusException e) {
                    return new JsonPrimitive(stops.get(0));
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
                return new JsonPrimitive(best);
            }
            default:
                return JsonNull.INSTANCE;
        }
    }

    private static JsonObject usage(GenerationResult result) {
        JsonObject u = new JsonObject();
        u.addProperty("prompt_tokens", result.promptTokens());
        u.addProperty("completion_tokens", result.generatedTokens());
        u.addProperty("total_tokens", result.promptTokens() + result.generatedTokens());
        JsonObject details = new JsonObject();   // OpenAI's shape: prompt tokens served from the prefix cache
        details.addProperty("cached_tokens", result.cachedPromptTokens());
        u.add("prompt_tokens_details", details);
        return u;
    }
}
