package dev.myelin.platform.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One HTTP request as an endpoint sees it: path parameters, query parameters, headers and the body (read at most
 * once, never beyond the endpoint's size limit). Body accessors turn bad input into the Matrix errors:
 * not JSON → 400 {@code M_NOT_JSON}, JSON of the wrong shape → 400 {@code M_BAD_JSON}, too big → 413
 * {@code M_TOO_LARGE}.
 */
public final class HttpCall {
    private final Request request;
    private final String template;
    private final Map<String, String> pathParams;
    private final long maxBodyBytes;
    private final String requestId;
    private Fields query;
    private byte[] body;
    private boolean bodyTaken;

    HttpCall(Request request, String template, Map<String, String> pathParams, long maxBodyBytes, String requestId) {
        this.request = request;
        this.template = template;
        this.pathParams = pathParams;
        this.maxBodyBytes = maxBodyBytes;
        this.requestId = requestId;
    }

    public String method() { return request.getMethod(); }

    /** The path template that matched, e.g. {@code /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}}. */
    public String template() { return template; }

    /** The ID of this request, as in the logs and the {@code X-Request-Id} response header. */
    public String requestId() { return requestId; }

    /** The percent-decoded value of a {@code {name}} segment of the template. */
    public String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) throw new IllegalArgumentException("template " + template + " has no {" + name + "}");
        return value;
    }

    /** A query parameter (the first if repeated), decoded. */
    public Optional<String> queryParam(String name) {
        return Optional.ofNullable(query().getValue(name));
    }

    /** Every value of a repeated query parameter, in order. */
    public List<String> queryParams(String name) {
        return query().getValuesOrEmpty(name);
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(request.getHeaders().get(name));
    }

    /** The access token from {@code Authorization: Bearer …} or the deprecated {@code access_token} query parameter. */
    public Optional<String> accessToken() {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(authorization.substring(7).trim());
        }
        return queryParam("access_token");
    }

    /** The client's address (the TCP peer; no proxy headers are trusted). */
    public String remoteAddress() { return Request.getRemoteAddr(request); }

    /** The whole body, at most the endpoint's limit. */
    public byte[] bodyBytes() {
        if (body == null) {
            if (bodyTaken) throw new IllegalStateException("the body was already taken as a stream");
            try (InputStream in = bodyStream()) {
                body = in.readAllBytes();
            } catch (IOException e) {
                throw new BodyReadException(e);
            }
        }
        return body;
    }

    /**
     * The body as a stream that fails with 413 {@code M_TOO_LARGE} as soon as it passes the limit, for
     * endpoints that store large bodies without holding them in memory (media upload).
     */
    public InputStream bodyStream() {
        if (bodyTaken) throw new IllegalStateException("the body can be read only once");
        bodyTaken = true;
        long declared = request.getLength();
        if (declared > maxBodyBytes) throw tooLarge();
        return new LimitedInputStream(Request.asInputStream(request), maxBodyBytes);
    }

    /** The body as a JSON object. */
    public ObjectNode json() {
        JsonNode node = jsonValue();
        if (!(node instanceof ObjectNode object)) throw MatrixException.badJson("The request body must be a JSON object");
        return object;
    }

    /**
     * The body bound to {@code type} (usually a record of the endpoint's request fields). Unknown fields are
     * ignored, as the spec lets clients send more than an endpoint reads.
     */
    public <T> T json(Class<T> type) {
        ObjectNode object = json();
        try {
            return JsonCodec.MAPPER.treeToValue(object, type);
        } catch (JacksonException e) {
            throw MatrixException.badJson(JsonCodec.describe(e));
        }
    }

    private JsonNode jsonValue() {
        byte[] bytes = bodyBytes();
        try {
            JsonNode node = JsonCodec.MAPPER.readTree(bytes);
            if (node == null || node.isMissingNode()) throw MatrixException.notJson("The request body is empty; JSON was expected");
            return node;
        } catch (JacksonException e) {
            throw MatrixException.notJson("The request body is not valid JSON");
        }
    }

    private Fields query() {
        if (query == null) {
            try {
                query = Request.extractQueryParameters(request);
            } catch (RuntimeException e) {
                // why: Jetty rejects malformed query encodings with its own exception types
                throw MatrixException.invalidParam("The query string is not valid");
            }
        }
        return query;
    }

    private MatrixException tooLarge() {
        return MatrixException.tooLarge("The request body is larger than " + maxBodyBytes + " bytes");
    }

    /** Counts bytes while reading and stops at the limit, so a chunked body cannot grow without bound. */
    private final class LimitedInputStream extends InputStream {
        private final InputStream in;
        private final long limit;
        private long count;
        private boolean ended;

        LimitedInputStream(InputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, (int) Math.min(length, limit - count + 1));
            if (n < 0) ended = true;
            if (n > 0) {
                count += n;
                if (count > limit) throw tooLarge();
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            // why: Jetty's body stream, closed before its end, fails the body, and the connection then closes under
            // a client still sending; the handler reads the rest after the reply is ready (MatrixHandler#drainBody)
            if (ended) in.close();
        }
    }

    /** The client went away or broke the connection while sending the body. */
    static final class BodyReadException extends RuntimeException {
        BodyReadException(IOException cause) {
            super(cause);
        }
    }
}
