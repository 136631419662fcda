package dev.asclepius.cli.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.asclepius.core.GenerationConfig;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * A {@code POST /v1/completions} body into a {@link CompletionRequest}: strict UTF-8 and JSON, OpenAI's
 * fields and vLLM's extensions mapped to a {@link GenerationConfig}, a text prompt too long to fit the
 * context refused before it is tokenized, and the prefix-cache scope taken from the API key and
 * {@code cache_salt}. Every refusal is a {@link BadRequest} naming the field.
 */
final class RequestParser {
    /** The longest cache_salt accepted: a salt is an opaque identifier, not data. */
    private static final int MAX_SALT_CHARS = 256;

    private final LanguageModel model;
    private final String modelName;
    private final ApiKeys keys;
    private final int maxPromptBytes;           // a text prompt longer than this cannot fit the context

    RequestParser(LanguageModel model, String modelName, ApiKeys keys) {
        this.model = model;
        this.modelName = modelName;
        this.keys = keys;
        this.maxPromptBytes = maxPromptBytes(model);
    }

    /**
     * The most UTF-8 bytes a text prompt that fits the context can have: each token stands for at most
     * the longest token's bytes (+1 for the space SentencePiece folds into a token), doubled for margin.
     * A prompt longer than this is refused without being tokenized (tokenizing 50 MB took minutes).
     */
    private static int maxPromptBytes(LanguageModel model) {
        int longest = 16;
        try {
            int vocab = model.tokenizer().vocabSize();
            for (int id = 0; id < vocab; id++) {
                longest = Math.max(longest, model.tokenizer().decode(new int[] {id})
                        .getBytes(StandardCharsets.UTF_8).length + 1);
            }
        } catch (RuntimeException e) {
            longest = 64;   // a tokenizer that cannot decode single ids: a generous fixed bound
        }
        return (int) Math.min(Integer.MAX_VALUE, 2L * longest * model.info().contextLength());
    }

    /**
     * Strict UTF-8 and strict JSON (RFC 8259: no single quotes, comments, unquoted keys, NaN or trailing
     * text) into a request. {@code http} gives the API key, which with {@code cache_salt} picks the
     * prefix-cache scope.
     */
    CompletionRequest parse(byte[] body, Request http) throws BadRequest {
        JsonObject o = object(utf8(body));
        JsonElement name = o.get("model");
        if (name != null && !name.isJsonNull()) {
            if (!isString(name)) {
                throw new BadRequest("'model' must be a string", "model");
            }
            if (!name.getAsString().equals(modelName)) {
                throw new BadRequest(404, "The model `" + name.getAsString() + "` does not exist. This server serves `"
                        + modelName + "`.", "model", "model_not_found");
            }
        }
        JsonElement prompt = prompt(o.get("prompt"));
        if (prompt.isJsonPrimitive()) {
            int bytes = prompt.getAsString().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxPromptBytes) {
                throw new BadRequest(400, "This model's maximum context length is " + model.info().contextLength()
                        + " tokens. However, your prompt is " + bytes + " bytes, more than any prompt of that many "
                        + "tokens (" + maxPromptBytes + " bytes at most). Please reduce the length of the input.",
                        "prompt", "context_length_exceeded");
            }
        }
        if (intOr(o, "n", 1) != 1 || intOr(o, "best_of", 1) != 1) {
            throw new BadRequest("Only n = 1 and best_of = 1 are supported", "n");
        }
        if (boolOr(o, "echo", false)) {
            throw new BadRequest("'echo' is not supported", "echo");
        }
        if (o.has("logprobs") && !o.get("logprobs").isJsonNull()) {
            throw new BadRequest("'logprobs' is not supported", "logprobs");
        }
        GenerationConfig config = config(o, http);
        boolean stream = boolOr(o, "stream", false);
        boolean includeUsage = false;
        JsonElement so = o.get("stream_options");
        if (so != null && !so.isJsonNull()) {
            if (!so.isJsonObject()) {
                throw new BadRequest("'stream_options' must be an object", "stream_options");
            }
            includeUsage = boolOr(so.getAsJsonObject(), "include_usage", false);
        }
        Optional<String> text = prompt.isJsonPrimitive() ? Optional.of(prompt.getAsString()) : Optional.empty();
        Optional<int[]> ids = prompt.isJsonArray() ? Optional.of(ints(prompt.getAsJsonArray())) : Optional.empty();
        return new CompletionRequest(text, ids, config, stream, includeUsage, boolOr(o, "return_token_ids", false));
    }

    /** Strict UTF-8: a malformed byte is a 400, not a replacement character in the prompt. */
    private static String utf8(byte[] bytes) throws BadRequest {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadRequest("The request body is not valid UTF-8", null);
        }
    }

    private static JsonObject object(String body) throws BadRequest {
        try {
            JsonReader reader = new JsonReader(new StringReader(body));
            reader.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("unexpected text after the JSON value");
            }
            if (!e.isJsonObject()) {
                throw new BadRequest("The request body must be a JSON object", null);
            }
            return e.getAsJsonObject();
        } catch (JsonParseException | IOException | IllegalStateException e) {
            throw new BadRequest("The request body is not valid JSON: " + e.getMessage(), null);
        }
    }

    /** OpenAI's sampling fields and vLLM's extensions, with OpenAI's defaults for those left out. */
    private GenerationConfig config(JsonObject o, Request http) throws BadRequest {
        GenerationConfig.Builder b = GenerationConfig.builder()
                .maxNewTokens(intOr(o, "max_tokens", 16))
                .temperature(floatOr(o, "temperature", 1f))
                .topP(floatOr(o, "top_p", 1f))
                .repetitionPenalty(floatOr(o, "repetition_penalty", 1f))
                .ignoreEos(boolOr(o, "ignore_eos", false));
        int topK = intOr(o, "top_k", 0);
        b.topK(topK < 0 ? 0 : topK); // vLLM: -1 (or 0) disables
        if (o.has("seed") && !o.get("seed").isJsonNull()) {
            b.seed(longValue(o.get("seed"), "seed"));
        }
        b.stopStrings(stops(o.get("stop")));
        b.stopTokenIds(tokenIds(o.get("stop_token_ids")));
        b.cacheScope(cacheScope(http, o.get("cache_salt")));
        try {
            return b.build();
        } catch (InvalidInputException e) {
            throw new BadRequest(e.getMessage(), null);
        }
    }

    /**
     * The prefix-cache scope of a request: its API key (by digest) and its {@code cache_salt}, so that cached
     * keys and values, and the cached_tokens count that reveals them, are shared only between requests
     * with the same key and salt. Without keys and salt: the one shared scope.
     */
    private String cacheScope(Request http, JsonElement salt) throws BadRequest {
        String s = "";
        if (salt != null && !salt.isJsonNull()) {
            if (!isString(salt) || salt.getAsString().isEmpty() || salt.getAsString().length() > MAX_SALT_CHARS) {
                throw new BadRequest("'cache_salt' must be a non-empty string of at most " + MAX_SALT_CHARS
                        + " characters", "cache_salt");
            }
            s = salt.getAsString();
        }
        String key = keys.scopeOf(http.getHeaders().get(HttpHeader.AUTHORIZATION));
        if (key.isEmpty() && s.isEmpty()) {
            return "";
        }
        // Lengths first: no key+salt pair can spell another pair's scope.
        return "key:" + key.length() + ":" + key + ";salt:" + s.length() + ":" + s;
    }

    /** A string or a token-id array (also a one-element list of either). */
    private static JsonElement prompt(JsonElement p) throws BadRequest {
        if (p == null || p.isJsonNull()) {
            throw new BadRequest("'prompt' is required: a string or an array of token ids", "prompt");
        }
        if (isString(p)) {
            return p;
        }
        if (p.isJsonArray()) {
            JsonArray a = p.getAsJsonArray();
            if (a.size() == 1 && (isString(a.get(0)) || a.get(0).isJsonArray())) {
                return prompt(a.get(0));
            }
            if (a.isEmpty()) {
                throw new BadRequest("'prompt' is empty", "prompt");
            }
            for (JsonElement e : a) {
                if (!isInt(e)) {
                    throw new BadRequest(isString(e) || e.isJsonArray()
                            ? "Only one prompt per request is supported" : "'prompt' must be a string or an array of "
                            + "integer token ids", "prompt");
                }
            }
            return a;
        }
        throw new BadRequest("'prompt' must be a string or an array of integer token ids", "prompt");
    }

    private static int[] ints(JsonArray a) {
        int[] ids = new int[a.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = a.get(i).getAsInt();
        }
        return ids;
    }

    private static List<String> stops(JsonElement e) throws BadRequest {
        if (e == null || e.isJsonNull()) {
            return List.of();
        }
        if (isString(e)) {
            return e.getAsString().isEmpty() ? List.of() : List.of(e.getAsString());
        }
        if (e.isJsonArray()) {
            List<String> out = new ArrayList<>();
            for (JsonElement s : e.getAsJsonArray()) {
                if (!isString(s)) {
                    throw new BadRequest("'stop' must be a string or an array of strings", "stop");
                }
                if (!s.getAsString().isEmpty()) {
                    out.add(s.getAsString());
                }
            }
            return out;
        }
        throw new BadRequest("'stop' must be a string or an array of strings", "stop");
    }

    private static Set<Integer> tokenIds(JsonElement e) throws BadRequest {
        if (e == null || e.isJsonNull()) {
            return Set.of();
        }
        if (!e.isJsonArray()) {
            throw new BadRequest("'stop_token_ids' must be an array of integers", "stop_token_ids");
        }
        Set<Integer> out = new HashSet<>();
        for (JsonElement id : e.getAsJsonArray()) {
            if (!isInt(id)) {
                throw new BadRequest("'stop_token_ids' must be an array of integers", "stop_token_ids");
            }
            out.add(id.getAsInt());
        }
        return out;
    }

    private static boolean isString(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    /** A JSON number with an integral int value (1.0 counts, as JSON does not tell 1 from 1.0 apart). */
    private static boolean isInt(JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            return false;
        }
        double d = e.getAsDouble();
        return d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE;
    }

    private static int intOr(JsonObject o, String key, int fallback) throws BadRequest {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!isInt(e)) {
            throw new BadRequest("'" + key + "' must be an integer, got " + e, key);
        }
        return e.getAsInt();
    }

    private static long longValue(JsonElement e, String key) throws BadRequest {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != Math.rint(e.getAsDouble())) {
            throw new BadRequest("'" + key + "' must be an integer, got " + e, key);
        }
        return e.getAsLong();
    }

    private static float floatOr(JsonObject o, String key, float fallback) throws BadRequest {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new BadRequest("'" + key + "' must be a number, got " + e, key);
        }
        return e.getAsFloat();
    }

    private static boolean boolOr(JsonObject o, String key, boolean fallback) throws BadRequest {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new BadRequest("'" + key + "' must be true or false, got " + e, key);
        }
        return e.getAsBoolean();
    }
}
