package dev.asclepius.cli.serve;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Whole JSON responses, and the OpenAI error body every refusal uses. */
final class Replies {
    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);
    /**
     * No HTML escaping (clinical text has &lt; and &gt;, and clients compare text); nulls written, so that
     * every error and choice has the same keys (OpenAI's {@code "param": null}).
     */
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private Replies() {
    }

    /** {@code {"error": {"message", "type", "param", "code"}}}, as OpenAI and vLLM answer. */
    static JsonObject errorBody(String message, String type, String param, String code) {
        JsonObject e = new JsonObject();
        e.addProperty("message", message);
        e.addProperty("type", type);
        e.add("param", param == null ? JsonNull.INSTANCE : new JsonPrimitive(param));
        e.add("code", code == null ? JsonNull.INSTANCE : new JsonPrimitive(code));
        JsonObject o = new JsonObject();
        o.add("error", e);
        return o;
    }

    static void sendError(Response response, Callback callback, int status, String message, String type,
                          String param, String code) {
        sendJson(response, callback, status, errorBody(message, type, param, code));
    }

    /** Writes a whole JSON response (without blocking: completes {@code callback} when written). */
    static void sendJson(Response response, Callback callback, int status, JsonObject body) {
        byte[] bytes = GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** A bug: a 500 when nothing was sent yet, else the exchange fails (a half-written answer cannot be fixed). */
    static void internalError(Response response, Callback callback, RuntimeException e) {
        LOG.error("Request failed", e);
        if (response.isCommitted()) {
            callback.failed(e);
        } else {
            sendError(response, callback, 500, "Internal error: " + e, "server_error", null, null);
        }
    }
}
