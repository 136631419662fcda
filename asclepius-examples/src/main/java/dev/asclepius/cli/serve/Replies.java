package dev.asclepius.cli.serve;

import dev.asclepius.core.internal.wire.CompletionCodec;
import dev.asclepius.core.internal.wire.ErrorBody;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Whole JSON responses, and the OpenAI error body (written by the shared codec) every refusal uses. */
final class Replies {
    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    private Replies() {
    }

    /** {@code {"error": {"message", "type", "param", "code"}}}, as OpenAI and vLLM answer. */
    static String errorBody(String message, String type, String param, String code) {
        return CompletionCodec.writeError(new ErrorBody(message, type, Optional.ofNullable(param),
                Optional.ofNullable(code)));
    }

    static void sendError(Response response, Callback callback, int status, String message, String type,
                          String param, String code) {
        sendJson(response, callback, status, errorBody(message, type, param, code));
    }

    /** Writes a whole JSON response (without blocking: completes {@code callback} when written). */
    static void sendJson(Response response, Callback callback, int status, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
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
