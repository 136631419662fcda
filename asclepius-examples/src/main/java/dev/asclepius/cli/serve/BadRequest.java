package dev.asclepius.cli.serve;

/**
 * A request the client must change: becomes a 400 (or {@code status}) with the OpenAI error body. Checked,
 * so that every parsing step says what it refuses and the endpoint cannot forget to answer it.
 */
final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String param;
    final String code;

    BadRequest(int status, String message, String param, String code) {
        super(message);
        this.status = status;
        this.param = param;
        this.code = code;
    }

    BadRequest(String message, String param) {
        this(400, message, param, null);
    }

    /** OpenAI's type: an unknown model is a "NotFoundError", every other refusal an "invalid_request_error". */
    String type() {
        return status == 404 ? "NotFoundError" : "invalid_request_error";
    }
}
