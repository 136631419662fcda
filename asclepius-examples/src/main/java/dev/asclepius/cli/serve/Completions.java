package dev.asclepius.cli.serve;

import dev.asclepius.core.AsclepiusException;
import dev.asclepius.core.ContextLengthExceededException;
import dev.asclepius.core.GenerationResult;
import dev.asclepius.core.InvalidInputException;
import dev.asclepius.core.LanguageModel;
import dev.asclepius.core.ModelClosedException;
import dev.asclepius.core.TokenListener;
import dev.asclepius.core.internal.wire.Prompt;
import dev.asclepius.core.internal.wire.SseEvent;
import java.util.UUID;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/completions} once its body is read: parses it, queues the generation on the pool, and
 * answers with one JSON completion or a stream of server-sent events. The model's errors become OpenAI's
 * (a prompt over the context is a 400 {@code context_length_exceeded}, as vLLM answers).
 */
final class Completions {
    private static final Logger LOG = LoggerFactory.getLogger(Completions.class);

    private final LanguageModel model;
    private final RequestParser parser;
    private final CompletionJson json;
    private final GenerationPool pool;

    Completions(LanguageModel model, RequestParser parser, CompletionJson json, GenerationPool pool) {
        this.model = model;
        this.parser = parser;
        this.json = json;
        this.pool = pool;
    }

    /** Runs on the thread that read the body: parsing is quick, the generation goes to the pool. */
    void accept(Request request, Response response, Callback callback, byte[] body) {
        CompletionRequest r;
        try {
            r = parser.parse(body, request);
        } catch (BadRequest e) {
            Replies.sendError(response, callback, e.status, e.getMessage(), e.type(), e.param, e.code);
            return;
        }
        pool.submit(response, callback, () -> complete(response, callback, r));
    }

    /** The client of a streaming response has gone: thrown from the listener to stop the generation. */
    private static final class ClientGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientGone() {
            super("client disconnected", null, false, false);
        }
    }

    /** Runs on a generation worker: generates and answers. */
    private void complete(Response response, Callback callback, CompletionRequest request) {
        try {
            String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
            if (request.stream()) {
                stream(response, callback, id, request);
                return;
            }
            GenerationResult result;
            try {
                result = generate(request, TokenListener.NONE);
            } catch (AsclepiusException e) {
                sendGenerationError(response, callback, e);
                return;
            }
            Replies.sendJson(response, callback, 200, json.completion(id, result, request));
        } catch (RuntimeException e) {
            Replies.internalError(response, callback, e);
        }
    }

    private GenerationResult generate(CompletionRequest request, TokenListener listener) {
        if (request.prompt() instanceof Prompt.Text text) {
            return model.generate(text.value(), request.config(), listener);
        }
        return model.generate(((Prompt.TokenIds) request.prompt()).toArray(), request.config(), listener);
    }

    /** The error body needs a message; an exception without one is named by its class. */
    private static String message(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static void sendGenerationError(Response response, Callback callback, AsclepiusException e) {
        if (e instanceof ContextLengthExceededException c) {
            Replies.sendError(response, callback, 400, "This model's maximum context length is " + c.contextLength()
                    + " tokens. However, your request has " + c.promptTokens() + " input tokens. Please reduce the "
                    + "length of the input.", "invalid_request_error", "prompt", "context_length_exceeded");
        } else if (e instanceof InvalidInputException) {
            Replies.sendError(response, callback, 400, e.getMessage(), "invalid_request_error", null, null);
        } else if (e instanceof ModelClosedException) {
            Replies.sendError(response, callback, 503, "The model is shutting down: " + e.getMessage(), "server_error",
                    null, null);
        } else {
            LOG.error("Generation failed", e);
            Replies.sendError(response, callback, 500, message(e), "server_error", null, null);
        }
    }

    /**
     * Streams the text deltas as they are generated. The 200 is committed at the first token, so an error
     * before it (a prompt over the context) is still a JSON error response; one after it can only be an
     * error event ending the stream.
     */
    private void stream(Response response, Callback callback, String id, CompletionRequest request) {
        EventStream events = new EventStream(response, callback);
        response.getRequest().addFailureListener(events::clientGone);
        TokenListener listener = (delta, tokenId) -> {
            if (events.gone()) {
                throw new ClientGone();
            }
            events.start();   // the first token proves the prompt fits
            if (!delta.isEmpty()) {
                events.send(json.delta(id, delta));
            }
        };
        GenerationResult result;
        try {
            result = generate(request, listener);
        } catch (ClientGone e) {
            LOG.info("{}: client disconnected, generation stopped", id);
            callback.failed(new EofException("client disconnected"));
            return;
        } catch (AsclepiusException e) {
            if (!events.started()) {
                sendGenerationError(response, callback, e);
                return;
            }
            events.send(Replies.errorBody(message(e), "server_error", null, null));
            events.end();
            return;
        }
        events.send(json.finish(id, result, request));
        if (request.includeUsage()) {
            events.send(json.usageChunk(id, result));
        }
        events.send(SseEvent.DONE);
        events.end();
    }
}
