package dev.myelin.platform.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Matrix error as a client sees it: {@code errcode}, {@code error}, the HTTP status, and any extra fields the
 * spec defines for that error (e.g. {@code retry_after_ms}). Throw it where the cause is known; the HTTP layer
 * renders it. Unchecked so it can leave lambdas and deep call chains unchanged.
 *
 * @see <a href="https://spec.matrix.org/v1.19/client-server-api/#standard-error-response">Standard error response</a>
 */
public final class MatrixException extends RuntimeException {
    private final String errcode;
    private final int status;
    private final Map<String, Object> extra;

    public MatrixException(String errcode, String message, int status) {
        this(errcode, message, status, Map.of());
    }

    public MatrixException(String errcode, String message, int status, Map<String, Object> extra) {
        super(message, null, false, false); // why: thrown for ordinary bad input; a stack trace is waste
        if (!errcode.startsWith("M_") && !errcode.contains(".")) {
            throw new IllegalArgumentException("errcode must be M_… or namespaced: " + errcode);
        }
        if (status < 400 || status > 599) throw new IllegalArgumentException("not an error status: " + status);
        this.errcode = errcode;
        this.status = status;
        this.extra = Map.copyOf(extra);
    }

    public String errcode() { return errcode; }

    public int status() { return status; }

    /** Fields besides {@code errcode} and {@code error} in the response body. */
    public Map<String, Object> extra() { return extra; }

    /** The response body: {@code {"errcode": …, "error": …, …extra}}. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errcode", errcode);
        body.put("error", getMessage());
        body.putAll(extra);
        return body;
    }

    // The common errors, named as in the spec.

    public static MatrixException notJson(String message) { return new MatrixException("M_NOT_JSON", message, 400); }

    public static MatrixException badJson(String message) { return new MatrixException("M_BAD_JSON", message, 400); }

    public static MatrixException missingParam(String message) { return new MatrixException("M_MISSING_PARAM", message, 400); }

    public static MatrixException invalidParam(String message) { return new MatrixException("M_INVALID_PARAM", message, 400); }

    public static MatrixException notFound(String message) { return new MatrixException("M_NOT_FOUND", message, 404); }

    public static MatrixException forbidden(String message) { return new MatrixException("M_FORBIDDEN", message, 403); }

    public static MatrixException unrecognized(String message, int status) { return new MatrixException("M_UNRECOGNIZED", message, status); }

    public static MatrixException tooLarge(String message) { return new MatrixException("M_TOO_LARGE", message, 413); }

    public static MatrixException limitExceeded(long retryAfterMs) {
        return new MatrixException("M_LIMIT_EXCEEDED", "Too many requests", 429, Map.of("retry_after_ms", retryAfterMs));
    }

    /** The only 500 a client sees: says nothing about the cause (that goes to the log with the request ID). */
    public static MatrixException unknown(String message) { return new MatrixException("M_UNKNOWN", message, 500); }
}
