package dev.asclepius.core.internal.wire;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import java.util.ArrayList;
import java.util.List;
import static dev.asclepius.core.internal.wire.JsonFields.*;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The one place the OpenAI completions JSON is written and read, by the client ({@code RemoteModel}) and the
 * server ({@code asclepius serve}) alike.
 *
 * <pre>{@code
 * // server
 * CompletionRequest req = CompletionCodec.readRequest(body);          // WireException -> HTTP 400, param = e.field()
 * String json = CompletionCodec.writeResponse(response);
 * sse.write(SseWriter.data(CompletionCodec.writeResponse(chunk)));    // each stream chunk, then SseWriter.data("[DONE]")
 * // client
 * String body = CompletionCodec.writeRequest(req);
 * CompletionResponse r = CompletionCodec.readResponse(json);
 * StreamData d = CompletionCodec.readStreamData(event.data());         // a chunk, or the server's mid-stream error
 * }</pre>
 *
 * <p>Reading is strict: RFC 8259 JSON only (no comments, single quotes, NaN or trailing text), a required
 * field missing or any known field of the wrong type is a {@link WireException} naming the field. Unknown
 * fields are ignored, as OpenAI clients and servers do, so newer servers keep working. Writing uses no HTML
 * escaping (clinical text has &lt; and &gt;) and writes JSON nulls where the protocol shows them
 * ({@code logprobs}, {@code finish_reason} of a running chunk, {@code stop_reason}, error {@code param}/{@code code}).
 */
public final class CompletionCodec {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
    private static final int MAX_QUOTED = 500;

    private CompletionCodec() {
    }

    // ---- request

    /** The request body; optional fields at their defaults are left out (see {@link CompletionRequest}). */
    public static String writeRequest(CompletionRequest r) {
        JsonObject o = new JsonObject();
        r.model().ifPresent(m -> o.addProperty("model", m));
        o.add("prompt", r.prompt() instanceof Prompt.Text t ? new JsonPrimitive(t.value())
                : JsonFields.ints(((Prompt.TokenIds) r.prompt()).ids()));
        o.addProperty("max_tokens", r.maxTokens());
        o.addProperty("temperature", r.temperature());
        o.addProperty("top_p", r.topP());
        if (r.topK() > 0) {
            o.addProperty("top_k", r.topK());
        }
        if (r.repetitionPenalty() != 1f) {
            o.addProperty("repetition_penalty", r.repetitionPenalty());
        }
        r.seed().ifPresent(s -> o.addProperty("seed", s));
        if (!r.stop().isEmpty()) {
            JsonArray stop = new JsonArray();
            r.stop().forEach(stop::add);
            o.add("stop", stop);
        }
        if (!r.stopTokenIds().isEmpty()) {
            o.add("stop_token_ids", ints(r.stopTokenIds()));
        }
        if (r.ignoreEos()) {
            o.addProperty("ignore_eos", true);
        }
        r.cacheSalt().ifPresent(s -> o.addProperty("cache_salt", s));
        if (r.returnTokenIds()) {
            o.addProperty("return_token_ids", true);
        }
        if (r.n() != 1) {
            o.addProperty("n", r.n());
        }
        if (r.bestOf() != 1) {
            o.addProperty("best_of", r.bestOf());
        }
        if (r.echo()) {
            o.addProperty("echo", true);
        }
        r.logprobs().ifPresent(n -> o.addProperty("logprobs", n));
        o.addProperty("stream", r.stream());
        if (r.stream()) {
            JsonObject options = new JsonObject();
            options.addProperty("include_usage", r.includeUsage());
            o.add("stream_options", options);
        }
        return GSON.toJson(o);
    }

    /**
     * A request body. A prompt may be a string, an array of integer ids, or a one-element array of either
     * (one prompt per request: several are refused); {@code stop} may be a string or an array of strings,
     * empty strings are dropped.
     *
     * @throws WireException for malformed JSON, a missing or empty prompt, or a field of the wrong type
     */
    public static CompletionRequest readRequest(String body) {
        JsonObject o = parseObject(body, "The request body");
        Optional<String> model = optString(o, "model");
        Prompt prompt = prompt(o.get("prompt"));
        OptionalLong seed = isAbsent(o.get("seed")) ? OptionalLong.empty() : OptionalLong.of(longValue(o.get("seed"), "seed"));
        boolean includeUsage = false;
        JsonElement so = o.get("stream_options");
        if (!isAbsent(so)) {
            if (!so.isJsonObject()) {
                throw new WireException("'stream_options' must be an object", "stream_options");
            }
            includeUsage = boolOr(so.getAsJsonObject(), "include_usage", false);
        }
        JsonElement logprobs = o.get("logprobs");
        return new CompletionRequest(model, prompt, intOr(o, "max_tokens", 16), floatOr(o, "temperature", 1f),
                floatOr(o, "top_p", 1f), intOr(o, "top_k", 0), floatOr(o, "repetition_penalty", 1f), seed,
                stops(o.get("stop")), intList(o.get("stop_token_ids"), "stop_token_ids"),
                boolOr(o, "ignore_eos", false), optString(o, "cache_salt"), boolOr(o, "return_token_ids", false),
                boolOr(o, "stream", false), includeUsage, intOr(o, "n", 1), intOr(o, "best_of", 1),
                boolOr(o, "echo", false),
                isAbsent(logprobs) ? Optional.empty() : Optional.of(intOr(o, "logprobs", 0)));
    }

    // ---- response and stream chunks

    /** A whole response or one stream chunk (same shape); usage is written only when present. */
    public static String writeResponse(CompletionResponse r) {
        JsonObject o = new JsonObject();
        o.addProperty("id", r.id());
        o.addProperty("object", CompletionResponse.OBJECT);
        o.addProperty("created", r.created());
        o.addProperty("model", r.model());
        JsonArray choices = new JsonArray();
        for (Choice c : r.choices()) {
            JsonObject j = new JsonObject();
            j.addProperty("index", c.index());
            j.addProperty("text", c.text());
            j.add("logprobs", JsonNull.INSTANCE);
            j.add("finish_reason", c.finishReason().<JsonElement>map(JsonPrimitive::new).orElse(JsonNull.INSTANCE));
            j.add("stop_reason", c.stopReason().<JsonElement>map(s -> s instanceof StopReason.Token t
                    ? new JsonPrimitive(t.id()) : new JsonPrimitive(((StopReason.Text) s).value())).orElse(JsonNull.INSTANCE));
            c.tokenIds().ifPresent(ids -> j.add("token_ids", ints(ids)));
            choices.add(j);
        }
        o.add("choices", choices);
        r.usage().ifPresent(u -> {
            JsonObject j = new JsonObject();
            u.promptTokens().ifPresent(n -> j.addProperty("prompt_tokens", n));
            u.completionTokens().ifPresent(n -> j.addProperty("completion_tokens", n));
            u.totalTokens().ifPresent(n -> j.addProperty("total_tokens", n));
            u.cachedTokens().ifPresent(n -> {   // OpenAI's shape: prompt tokens served from the prefix cache
                JsonObject details = new JsonObject();
                details.addProperty("cached_tokens", n);
                j.add("prompt_tokens_details", details);
            });
            o.add("usage", j);
        });
        return GSON.toJson(o);
    }

    /**
     * A non-streaming response.
     *
     * @throws WireException for malformed JSON, no {@code choices} (or an empty list), a choice without
     *                       {@code text}, or a field of the wrong type
     */
    public static CompletionResponse readResponse(String json) {
        CompletionResponse r = response(parseObject(json, "The response"));
        if (r.choices().isEmpty()) {
            throw new WireException("The response has no choices: " + abbreviate(json), "choices");
        }
        return r;
    }

    /**
     * The JSON of one stream event (not {@code [DONE]}, which the caller handles): a chunk (its
     * {@code choices} may be empty: the usage-only chunk) or an error the server sent mid-stream
     * ({@code {"error": ...}}, or the older vLLM {@code {"object": "error", "message": ...}}).
     */
    public static StreamData readStreamData(String data) {
        JsonObject o = parseObject(data, "The stream event");
        JsonElement object = o.get("object");
        if (o.has("error") || (isString(object) && object.getAsString().equals("error"))) {
            return error(o).orElseGet(() -> ErrorBody.of(abbreviate(data), "server_error"));
        }
        return response(o);
    }

    // ---- errors

    /** An error body, {@code {"error": {"message", "type", "param", "code"}}}. */
    public static String writeError(ErrorBody e) {
        JsonObject err = new JsonObject();
        err.addProperty("message", e.message());
        err.addProperty("type", e.type());
        err.add("param", e.param().<JsonElement>map(JsonPrimitive::new).orElse(JsonNull.INSTANCE));
        err.add("code", e.code().<JsonElement>map(JsonPrimitive::new).orElse(JsonNull.INSTANCE));
        JsonObject o = new JsonObject();
        o.add("error", err);
        return GSON.toJson(o);
    }

    /**
     * The error in a 4xx/5xx body, read leniently (it may come from a proxy, not the model server): OpenAI's
     * {@code {"error": {"message": ...}}}, {@code {"error": "text"}}, older vLLM's {@code {"message": ...}},
     * FastAPI's {@code {"detail": ...}}. Empty when the body is none of these.
     */
    public static Optional<ErrorBody> readError(String body) {
        try {
            JsonElement e = JsonParser.parseString(body);
            return e.isJsonObject() ? error(e.getAsJsonObject()) : Optional.empty();
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException notJson) {
            return Optional.empty();
        }
    }

    /** The message of an error body ({@link #readError}), else the body's text, shortened to 500 characters. */
    public static String errorMessage(String body) {
        return readError(body).map(ErrorBody::message).orElseGet(() -> abbreviate(body.strip()));
    }

    /** {@code s} cut to 500 characters (with "..."), for quoting a server's answer in a message. */
    public static String abbreviate(String s) {
        return s.length() <= MAX_QUOTED ? s : s.substring(0, MAX_QUOTED) + "...";
    }

    // ---- reading helpers

    private static Optional<ErrorBody> error(JsonObject o) {
        JsonElement err = o.get("error");
        if (err != null && err.isJsonObject() && isString(err.getAsJsonObject().get("message"))) {
            JsonObject e = err.getAsJsonObject();
            return Optional.of(new ErrorBody(e.get("message").getAsString(), lenientString(e, "type").orElse(""),
                    lenientString(e, "param"), lenientString(e, "code")));
        }
        if (isString(err)) {
            return Optional.of(ErrorBody.of(err.getAsString(), ""));
        }
        for (String key : new String[] {"message", "detail"}) {
            if (isString(o.get(key))) {
                return Optional.of(new ErrorBody(o.get(key).getAsString(), lenientString(o, "type").orElse(""),
                        Optional.empty(), lenientString(o, "code")));
            }
        }
        return Optional.empty();
    }

    private static CompletionResponse response(JsonObject o) {
        JsonElement cs = o.get("choices");
        if (cs == null || !cs.isJsonArray()) {
            throw new WireException("'choices' is " + (cs == null ? "missing" : "not an array") + " in " + abbreviate(o.toString()),
                    "choices");
        }
        List<Choice> choices = new ArrayList<>();
        for (JsonElement e : cs.getAsJsonArray()) {
            if (!e.isJsonObject()) {
                throw new WireException("Each of 'choices' must be an object, got " + e, "choices");
            }
            choices.add(choice(e.getAsJsonObject()));
        }
        Optional<Usage> usage = Optional.empty();
        JsonElement u = o.get("usage");
        if (!isAbsent(u)) {
            if (!u.isJsonObject()) {
                throw new WireException("'usage' must be an object, got " + u, "usage");
            }
            usage = Optional.of(usage(u.getAsJsonObject()));
        }
        return new CompletionResponse(optString(o, "id").orElse(""), isAbsent(o.get("created")) ? 0
                : longValue(o.get("created"), "created"), optString(o, "model").orElse(""), choices, usage);
    }

    private static Choice choice(JsonObject c) {
        JsonElement text = c.get("text");
        if (!isString(text)) {
            throw new WireException("A choice's 'text' is " + (isAbsent(text) ? "missing" : "not a string") + ": "
                    + abbreviate(c.toString()), "text");
        }
        JsonElement sr = c.get("stop_reason");
        Optional<StopReason> stop;
        if (isAbsent(sr)) {
            stop = Optional.empty();
        } else if (isString(sr)) {
            stop = Optional.of(new StopReason.Text(sr.getAsString()));
        } else if (isInt(sr)) {
            stop = Optional.of(new StopReason.Token(sr.getAsInt()));
        } else {
            throw new WireException("'stop_reason' must be a token id, a string or null, got " + sr, "stop_reason");
        }
        JsonElement ids = c.get("token_ids");
        return new Choice(intOr(c, "index", 0), text.getAsString(), optString(c, "finish_reason"), stop,
                isAbsent(ids) ? Optional.empty() : Optional.of(intList(ids, "token_ids")));
    }

    private static Usage usage(JsonObject u) {
        OptionalInt cached = OptionalInt.empty();
        JsonElement details = u.get("prompt_tokens_details");
        if (!isAbsent(details)) {
            if (!details.isJsonObject()) {
                throw new WireException("'prompt_tokens_details' must be an object, got " + details,
                        "prompt_tokens_details");
            }
            cached = optInt(details.getAsJsonObject(), "cached_tokens");
        }
        return new Usage(optInt(u, "prompt_tokens"), optInt(u, "completion_tokens"), optInt(u, "total_tokens"), cached);
    }

    /** A string or a token-id array (also a one-element list of either). */
    private static Prompt prompt(JsonElement p) {
        if (isAbsent(p)) {
            throw new WireException("'prompt' is required: a string or an array of token ids", "prompt");
        }
        if (isString(p)) {
            return new Prompt.Text(p.getAsString());
        }
        if (p.isJsonArray()) {
            JsonArray a = p.getAsJsonArray();
            if (a.size() == 1 && (isString(a.get(0)) || a.get(0).isJsonArray())) {
                return prompt(a.get(0));
            }
            if (a.isEmpty()) {
                throw new WireException("'prompt' is empty", "prompt");
            }
            for (JsonElement e : a) {
                if (!isInt(e)) {
                    throw new WireException(isString(e) || e.isJsonArray() ? "Only one prompt per request is supported"
                            : "'prompt' must be a string or an array of integer token ids", "prompt");
                }
            }
            return new Prompt.TokenIds(intList(a, "prompt"));
        }
        throw new WireException("'prompt' must be a string or an array of integer token ids", "prompt");
    }

    private static List<String> stops(JsonElement e) {
        if (isAbsent(e)) {
            return List.of();
        }
        if (isString(e)) {
            return e.getAsString().isEmpty() ? List.of() : List.of(e.getAsString());
        }
        if (e.isJsonArray()) {
            List<String> out = new ArrayList<>();
            for (JsonElement s : e.getAsJsonArray()) {
                if (!isString(s)) {
                    throw new WireException("'stop' must be a string or an array of strings", "stop");
                }
                if (!s.getAsString().isEmpty()) {
                    out.add(s.getAsString());
                }
            }
            return out;
        }
        throw new WireException("'stop' must be a string or an array of strings", "stop");
    }

}
