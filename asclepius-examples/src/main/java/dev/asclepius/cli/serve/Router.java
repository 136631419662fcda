package dev.asclepius.cli.serve;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Sends each request through {@link Admission} to its endpoint. Non-blocking (Jetty's threads only parse,
 * route and write): the completions endpoint reads its body asynchronously and generates on the
 * {@link GenerationPool}.
 */
final class Router extends Handler.Abstract.NonBlocking {
    private final Admission admission;
    private final InfoEndpoints info;
    private final RequestBody body;
    private final Completions completions;

    Router(Admission admission, InfoEndpoints info, RequestBody body, Completions completions) {
        this.admission = admission;
        this.info = info;
        this.body = body;
        this.completions = completions;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        try {
            String method = request.getMethod();
            String path = Request.getPathInContext(request);
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            if (!admission.hostAllowed(request, response, callback)
                    || admission.answeredPreflight(request, response, callback)) {
                return true;
            }
            switch (path) {
                case "/health" -> {
                    if (Admission.methodAllowed(request, response, callback, "GET")) {
                        Replies.sendJson(response, callback, 200, info.health());
                    }
                }
                case "/v1/models" -> {
                    if (Admission.methodAllowed(request, response, callback, "GET")
                            && admission.authorized(request, response, callback)) {
                        Replies.sendJson(response, callback, 200, info.models());
                    }
                }
                case "/v1/completions" -> {
                    if (Admission.methodAllowed(request, response, callback, "POST")
                            && admission.authorized(request, response, callback)
                            && admission.acceptable(request, response, callback)) {
                        body.read(request, response, callback, bytes -> completions.accept(request, response,
                                callback, bytes));
                    }
                }
                default -> Replies.sendError(response, callback, 404, "Unknown URL: " + method + " " + path
                        + " (this server has GET /health, GET /v1/models and POST /v1/completions)",
                        "invalid_request_error", null, "unknown_url");
            }
        } catch (RuntimeException e) {
            Replies.internalError(response, callback, e);
        }
        return true;
    }

    /** Errors Jetty answers itself (malformed requests, headers over the limit: 431) in the API's JSON form. */
    static boolean jettyError(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        Object message = request.getAttribute(ErrorHandler.ERROR_MESSAGE);
        String text = switch (status) {
            case 431 -> "The request headers are larger than this server accepts";
            case 413 -> "The request is larger than this server accepts";
            case 408 -> "The request took too long to arrive";
            default -> message != null ? message.toString() : "Bad request";
        };
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        Replies.sendError(response, callback, status, text, status >= 500 ? "server_error" : "invalid_request_error",
                null, null);
        return true;
    }
}
