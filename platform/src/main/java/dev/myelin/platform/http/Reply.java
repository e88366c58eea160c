package dev.myelin.platform.http;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * What an endpoint answers: a status, a body and extra headers. JSON bodies are any value Jackson can write
 * (a record, a {@code Map}, a {@code JsonNode}); raw bodies carry their own content type (media, metrics).
 */
public record Reply(int status, Body body, Map<String, String> headers) {

    public Reply {
        headers = Map.copyOf(headers);
    }

    /** The body of a reply: JSON, bytes of a given content type, or bytes written as they are produced. */
    public sealed interface Body permits Json, Raw, Streamed, Later {}

    /** A JSON body, written with the HTTP layer's mapper. */
    public record Json(Object value) implements Body {}

    /** Bytes sent as they are. */
    public record Raw(String contentType, byte[] bytes) implements Body {}

    /**
     * A body written straight to the client (a media download), {@code length} bytes or -1 if unknown (then sent
     * chunked). If the writer fails after the headers went out, the connection is aborted.
     */
    public record Streamed(String contentType, long length, BodyWriter writer) implements Body {}

    /**
     * No answer yet: the request waits, holding no thread, until {@code reply} completes (a {@code /sync} long
     * poll). A failed stage is answered like an exception thrown by the endpoint. The reply's own status and
     * headers are not used.
     */
    public record Later(CompletionStage<Reply> reply) implements Body {}

    /** Writes a streamed body; may block. */
    @FunctionalInterface
    public interface BodyWriter {
        void writeTo(java.io.OutputStream out) throws java.io.IOException;
    }

    /** 200 with a JSON body. */
    public static Reply json(Object value) { return new Reply(200, new Json(value), Map.of()); }

    public static Reply json(int status, Object value) { return new Reply(status, new Json(value), Map.of()); }

    /** 200 with {@code {}}, the usual answer of an action that returns nothing. */
    public static Reply empty() { return json(Map.of()); }

    public static Reply raw(int status, String contentType, byte[] bytes) {
        return new Reply(status, new Raw(contentType, bytes), Map.of());
    }

    public static Reply streamed(int status, String contentType, long length, BodyWriter writer) {
        return new Reply(status, new Streamed(contentType, length, writer), Map.of());
    }

    /** The answer once {@code reply} completes; see {@link Later}. */
    public static Reply later(CompletionStage<Reply> reply) {
        return new Reply(200, new Later(reply), Map.of());
    }

    /** The same reply with one more header. */
    public Reply withHeader(String name, String value) {
        var all = new java.util.LinkedHashMap<>(headers);
        all.put(name, value);
        return new Reply(status, body, all);
    }
}
