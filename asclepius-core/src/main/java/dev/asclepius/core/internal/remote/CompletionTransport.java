package dev.asclepius.core.internal.remote;

import dev.asclepius.core.AsclepiusException;
import dev.asclepius.core.ContextLengthExceededException;
import dev.asclepius.core.RemoteException;
import dev.asclepius.core.internal.wire.CompletionCodec;
import dev.asclepius.core.internal.wire.RetryPolicy;
import dev.asclepius.core.internal.wire.WireException;
import dev.asclepius.core.remote.RemoteAuthenticationException;
import dev.asclepius.core.remote.RemoteBadRequestException;
import dev.asclepius.core.remote.RemoteConnectionException;
import dev.asclepius.core.remote.RemoteNotFoundException;
import dev.asclepius.core.remote.RemoteOverloadedException;
import dev.asclepius.core.remote.RemoteServerException;
import dev.asclepius.core.remote.RemoteStreamException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP side of {@code RemoteModel}: POSTs a completions body, retries what {@link RetryPolicy} says is
 * worth retrying (429, 5xx, failed connections; never a request timeout, as the server may still be
 * generating, and never once a 2xx answer has started) and turns every failure into a typed
 * {@link RemoteException} that says what to do. A 2xx answer is handed to a {@link Handler}.
 */
public final class CompletionTransport {
    private static final Pattern MAX_CONTEXT = Pattern.compile("maximum context length is (\\d+)");
    private static final Pattern REQUESTED = Pattern.compile("(\\d+) (?:in the messages|input tokens|tokens in the prompt)");

    /** Reads an accepted answer; {@code startedNanos} is when the request was sent. */
    @FunctionalInterface
    public interface Handler<T> {
        T read(InputStream body, long startedNanos) throws IOException;
    }

    private final HttpClient http;
    private final URI uri;
    private final String modelName;
    private final Optional<String> apiKey;
    private final Duration requestTimeout;
    private final RetryPolicy retry;
    private final Runnable ensureOpen;

    /**
     * @param ensureOpen throws when the model was closed; checked again before each retry
     */
    public CompletionTransport(URI uri, String modelName, Optional<String> apiKey, Duration connectTimeout,
                               Duration requestTimeout, RetryPolicy retry, Runnable ensureOpen) {
        this.uri = uri;
        this.modelName = modelName;
        this.apiKey = apiKey;
        this.requestTimeout = requestTimeout;
        this.retry = retry;
        this.ensureOpen = ensureOpen;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
    }

    /** Sends {@code body} (retrying per the policy) and reads the accepted answer with {@code handler}. */
    public <T> T post(String body, boolean stream, Handler<T> handler) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", stream ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        apiKey.ifPresent(k -> rb.header("Authorization", "Bearer " + k));
        HttpRequest request = rb.build();
        try {
            return retry.run(attempt -> {
                if (attempt > 1) {
                    ensureOpen.run();
                }
                return attempt(request, handler);
            }, this::gaveUp);
        } catch (InterruptedException e) {
            throw new AsclepiusException("Interrupted while waiting to retry " + uri, e);
        }
    }

    private <T> T attempt(HttpRequest request, Handler<T> handler) throws RetryPolicy.Retry {
        long started = System.nanoTime();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            if (e instanceof java.net.http.HttpConnectTimeoutException) {
                throw new RetryPolicy.Retry("cannot connect: " + e, -1, Optional.empty(), e);
            }
            throw new RemoteConnectionException("No response from " + uri + " within " + requestTimeout
                    + " (request timeout; raise it with RemoteModel.builder(...).requestTimeout(...))", uri, true, e);
        } catch (IOException e) {
            // ConnectException, a reset before the answer, ...: nothing was generated yet, so a retry is safe.
            throw new RetryPolicy.Retry((e instanceof java.net.ConnectException ? "cannot connect: " : "I/O error: ")
                    + e, -1, Optional.empty(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AsclepiusException("Interrupted during a request to " + uri, e);
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            // Accepted: from here on nothing is retried (the server has started generating).
            try (InputStream in = response.body()) {
                return handler.read(in, started);
            } catch (WireException e) {
                throw new RemoteStreamException("Unreadable response from " + uri + " (" + e.getMessage() + "); is it "
                        + "an OpenAI-compatible completions server?", uri, true, e);
            } catch (IOException e) {
                throw new RemoteStreamException("The connection to " + uri + " broke while reading the response: " + e
                        + " (the output so far is incomplete; the request may be sent again)", uri, false, e);
            }
        }
        String message;
        try (InputStream in = response.body()) {
            message = CompletionCodec.errorMessage(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            message = "(the error body could not be read: " + e + ")";
        }
        if (retry.isRetryableStatus(status)) {
            throw new RetryPolicy.Retry("HTTP " + status + (message.isEmpty() ? "" : ": " + message), status,
                    response.headers().firstValue("Retry-After").flatMap(retry::retryAfter), null);
        }
        throw clientError(status, message);
    }

    private RuntimeException gaveUp(int attempts, RetryPolicy.Retry last) {
        String text = "Request to " + uri + " failed after " + attempts + " attempt(s); last: " + last.getMessage();
        int status = last.status();
        if (status == -1) {
            return new RemoteConnectionException(text + ". Is the server running and reachable at this address?", uri,
                    false, last.getCause());
        }
        if (status == 429 || status == 503) {
            return new RemoteOverloadedException(text + ". The server is " + (status == 429 ? "rate limiting" : "overloaded")
                    + ": send fewer requests at once (maxConcurrency), allow more retries, or try again later", uri, status,
                    last.retryAfter());
        }
        return new RemoteServerException(text + ". Check the server's log; try again later", uri, status, last.getCause());
    }

    private RuntimeException clientError(int status, String message) {
        String server = message.isEmpty() ? "(no message)" : message;
        if (status == 401 || status == 403) {
            return new RemoteAuthenticationException("The server at " + uri + " rejected the API key (HTTP " + status
                    + "): " + server + ". Set it with RemoteModel.builder(...).apiKey(...) or the OPENAI_API_KEY "
                    + "environment variable.", uri, status, null);
        }
        if (message.contains("maximum context length")) {
            Matcher ctx = MAX_CONTEXT.matcher(message);
            Matcher req = REQUESTED.matcher(message);
            return new ContextLengthExceededException("The server says the prompt does not fit: " + message,
                    req.find() ? Integer.parseInt(req.group(1)) : -1,
                    ctx.find() ? Integer.parseInt(ctx.group(1)) : -1);
        }
        if (status == 404) {
            return new RemoteNotFoundException("HTTP 404 from " + uri + ": " + server + " (check the base URL and that "
                    + "the server serves the model named '" + modelName + "')", uri, status, null);
        }
        return new RemoteBadRequestException("The server at " + uri + " refused the request (HTTP " + status + "): "
                + server + ". Change the setting it names; sending the same request again will not help.", uri, status,
                null);
    }
}
