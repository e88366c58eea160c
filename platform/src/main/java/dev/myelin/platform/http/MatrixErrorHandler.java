package dev.myelin.platform.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Renders the errors Jetty raises before a request reaches {@link MatrixHandler} (a malformed request line, a
 * header too large, an ambiguous URI) as Matrix errors, instead of Jetty's HTML page. Never shows a cause.
 */
final class MatrixErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        byte[] body = body(code, message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status, reason));
    }

    private static byte[] body(int status, String reason) {
        String errcode = switch (status) {
            case 404, 405 -> "M_UNRECOGNIZED";
            case 413 -> "M_TOO_LARGE";
            default -> "M_UNKNOWN";
        };
        // why: the reason of a 5xx could describe our internals; a 4xx reason describes the client's request
        String error = status >= 500 || reason == null || reason.isBlank() ? "Request failed (HTTP " + status + ")" : reason;
        return JsonCodec.MAPPER.writeValueAsBytes(new MatrixException(errcode, error, Math.max(status, 400)).body());
    }
}
