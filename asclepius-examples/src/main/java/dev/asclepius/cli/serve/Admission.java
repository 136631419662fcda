package dev.asclepius.cli.serve;

import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The checks a request passes before any byte of its body is read, so that a refused request costs no body
 * read and never reaches the model. Each check that refuses answers the request itself (the OpenAI error
 * body) and returns false; the caller then stops. The order is the router's: Host, CORS, method, key,
 * content type and declared length.
 */
final class Admission {
    private final Set<String> allowedHosts;     // normalized host names; "*" allows any
    private final Set<String> corsOrigins;      // exact origins; "*" allows any; empty: no CORS
    private final ApiKeys keys;
    private final RequestBody body;

    Admission(Set<String> allowedHosts, Set<String> corsOrigins, ApiKeys keys, RequestBody body) {
        this.allowedHosts = allowedHosts;
        this.corsOrigins = corsOrigins;
        this.keys = keys;
        this.body = body;
    }

    /**
     * A web page can make a browser send requests to this server under a name the attacker controls
     * (DNS rebinding); such a request carries the attacker's name in its Host header, so only the names
     * this server is meant to be reached by are accepted (else 421).
     */
    boolean hostAllowed(Request request, Response response, Callback callback) {
        if (allowedHosts.contains("*")) {
            return true;
        }
        String header = request.getHeaders().get(HttpHeader.HOST);
        String refusal;
        if (header == null || header.isBlank()) {
            refusal = "Missing Host header";
        } else {
            String name = HostNames.fromHeader(header);
            if (allowedHosts.contains(name)) {
                return true;
            }
            refusal = "Host '" + header + "' is not allowed. This server answers to " + allowedHosts
                    + "; start it with --allowed-host " + name + " to accept this name.";
        }
        Replies.sendError(response, callback, 421, refusal, "invalid_request_error", null, "host_not_allowed");
        return false;
    }

    /**
     * Adds the CORS response headers when the request's Origin is allowed, and answers a preflight from
     * such an origin (204); whether the request was answered. Without an allowed origin no CORS header is
     * sent, so a preflight falls through to the method check (405) and the browser never sends the request.
     */
    boolean answeredPreflight(Request request, Response response, Callback callback) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null || corsOrigins.isEmpty()
                || !(corsOrigins.contains("*") || corsOrigins.contains(origin))) {
            return false;
        }
        response.getHeaders().put("Access-Control-Allow-Origin", origin);
        response.getHeaders().add(HttpHeader.VARY, "Origin");
        if (request.getMethod().equals("OPTIONS") && request.getHeaders().contains("Access-Control-Request-Method")) {
            response.setStatus(204);
            response.getHeaders().put("Access-Control-Allow-Methods", "GET, HEAD, POST");
            response.getHeaders().put("Access-Control-Allow-Headers", "Authorization, Content-Type");
            response.getHeaders().put("Access-Control-Max-Age", "600");
            response.write(true, null, callback);
            return true;
        }
        return false;
    }

    /** The path's one method (HEAD counts as GET), else 405 with {@code Allow}. */
    static boolean methodAllowed(Request request, Response response, Callback callback, String allowed) {
        String method = request.getMethod();
        if (method.equals(allowed) || (method.equals("HEAD") && allowed.equals("GET"))) {
            return true;
        }
        response.getHeaders().put(HttpHeader.ALLOW, allowed);
        Replies.sendError(response, callback, 405, "Method " + method + " is not allowed for "
                + Request.getPathInContext(request) + "; use " + allowed, "invalid_request_error", null,
                "method_not_allowed");
        return false;
    }

    /** One of the API keys, when keys are configured (else 401). */
    boolean authorized(Request request, Response response, Callback callback) {
        if (!keys.required()) {
            return true;
        }
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (keys.accepts(auth)) {
            return true;
        }
        closeIfBody(request, response);
        Replies.sendError(response, callback, 401, auth == null ? "Missing API key: send 'Authorization: Bearer KEY'"
                : "Incorrect API key", "authentication_error", null, "invalid_api_key");
        return false;
    }

    /**
     * Content-Type application/json in UTF-8 (else 415: the types a web page may send cross-site without a
     * preflight are refused) and a declared length within the limit (else 413).
     */
    boolean acceptable(Request request, Response response, Callback callback) {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mime.equals("application/json")) {
            closeIfBody(request, response);
            Replies.sendError(response, callback, 415, "The request body must be JSON sent with 'Content-Type: "
                    + "application/json' (got " + (type == null ? "no Content-Type" : "'" + type + "'") + ")",
                    "invalid_request_error", null, "unsupported_media_type");
            return false;
        }
        String charset = type.toLowerCase(Locale.ROOT).contains("charset=")
                ? type.toLowerCase(Locale.ROOT).replaceAll(".*charset=\"?([^\";]*).*", "$1").trim() : "utf-8";
        if (!charset.equals("utf-8") && !charset.equals("utf8")) {
            closeIfBody(request, response);
            Replies.sendError(response, callback, 415, "The request body must be UTF-8 (got charset " + charset + ")",
                    "invalid_request_error", null, "unsupported_media_type");
            return false;
        }
        if (request.getLength() > body.maxBytes()) {
            closeIfBody(request, response);
            Replies.sendError(response, callback, 413, body.tooLarge(request.getLength()), "invalid_request_error",
                    null, "request_too_large");
            return false;
        }
        return true;
    }

    /** A response sent without reading the body ends the connection, so the unread body is never read. */
    private static void closeIfBody(Request request, Response response) {
        if (request.getLength() != 0) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }
}
