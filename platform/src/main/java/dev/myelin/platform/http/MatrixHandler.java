package dev.myelin.platform.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.core.JacksonException;

/**
 * The one Jetty handler of every listener: gives the request an ID, answers CORS preflights, routes, runs the
 * endpoint (blocking, on a virtual thread), renders its {@link Reply} or its error as a Matrix error, and counts
 * the request in the metrics by route template and status.
 */
public final class MatrixHandler extends Handler.Abstract {
    /** The MDC key of the request ID; the log pattern prints it on every line of the request. */
    public static final String REQUEST_ID_MDC = "request_id";
    public static final String REQUEST_ID_HEADER = "X-Request-Id";

    private static final Logger log = LoggerFactory.getLogger(MatrixHandler.class);
    private static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");
    private static final String ALLOW_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
    private static final String ALLOW_HEADERS = "X-Requested-With, Content-Type, Authorization, Date";

    /** The most of an unread request body that is read and dropped to keep a connection open. */
    private static final long DRAIN_LIMIT = 1 << 20;
    /** The longest an early reply waits for the rest of the body. */
    private static final java.time.Duration DRAIN_WAIT = java.time.Duration.ofSeconds(1);

    private final Router router;
    private final HttpSettings settings;
    private final MeterRegistry meters;
    private final Supplier<String> requestIds;

    public MatrixHandler(Router router, HttpSettings settings, MeterRegistry meters) {
        this(router, settings, meters, MatrixHandler::randomRequestId);
    }

    public MatrixHandler(Router router, HttpSettings settings, MeterRegistry meters, Supplier<String> requestIds) {
        this.router = router;
        this.settings = settings;
        this.meters = meters;
        this.requestIds = requestIds;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String requestId = requestIds.get();
        MDC.put(REQUEST_ID_MDC, requestId);
        try {
            response.getHeaders().put(REQUEST_ID_HEADER, requestId);
            addCorsHeaders(request, response);
            Outcome outcome = dispatch(request);
            if (outcome.reply().body() instanceof Reply.Later later) {
                // why: the request waits without a thread (a long poll); whoever completes the stage sends the reply
                later.reply().whenComplete((reply, failure) -> {
                    MDC.put(REQUEST_ID_MDC, requestId);
                    try {
                        Reply answer = failure == null ? reply : failureReply(request, outcome.routeName(), failure);
                        finish(request, response, callback, outcome.routeName(), answer, start);
                    } finally {
                        MDC.remove(REQUEST_ID_MDC);
                    }
                });
                return true;
            }
            finish(request, response, callback, outcome.routeName(), outcome.reply(), start);
        } finally {
            MDC.remove(REQUEST_ID_MDC);
        }
        return true;
    }

    /** Sends the reply and counts the request in the metrics. */
    private void finish(Request request, Response response, Callback callback, String routeName, Reply reply, long start) {
        String method = request.getMethod();
        int status = 500;
        try {
            if (!drainBody(request)) {
                // why: a reply sent before a large body was read (an early 401, 403 or 413) leaves bytes on the
                // connection, so Jetty closes it after the reply; saying so keeps clients from reusing a dead one
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            status = write(response, reply, callback);
        } finally {
            long nanos = System.nanoTime() - start;
            if (log.isDebugEnabled()) {
                log.debug("{} {} -> {} in {} ms", method, routeName, status, nanos / 1_000_000);
            }
            Timer.builder("myelin.http.requests")
                    .description("HTTP requests by route template and status")
                    .tag("method", KNOWN_METHODS.contains(method) ? method : "other")
                    .tag("route", routeName)
                    .tag("status", Integer.toString(status))
                    .register(meters)
                    .record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Reads and drops what is left of the request body, up to {@link #DRAIN_LIMIT} bytes and for at most
     * {@link #DRAIN_WAIT}; true when the body ended, so the connection can carry the next request. Why: closing
     * while the client is still sending makes the kernel reset the connection, and the reset can discard the reply
     * before the client reads it. Not {@code Request.consumeAvailable()}: when the rest has not arrived yet it
     * marks the connection as not persistent and fails the body, which is the close this avoids. A client that
     * stops sending and waits for the reply gets it, with {@code Connection: close}, once the wait is over.
     */
    private static boolean drainBody(Request request) {
        if (request.getLength() > DRAIN_LIMIT) return false;
        long deadline = System.nanoTime() + DRAIN_WAIT.toNanos();
        long total = 0;
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                CompletableFuture<Void> more = new CompletableFuture<>();
                request.demand(() -> more.complete(null));
                try {
                    more.get(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } catch (ExecutionException | TimeoutException e) {
                    return false;
                }
                continue;
            }
            try {
                if (Content.Chunk.isFailure(chunk)) return false;
                total += chunk.remaining();
                if (total > DRAIN_LIMIT) return false;
                if (chunk.isLast()) return true;
            } finally {
                chunk.release();
            }
        }
    }

    /** What a request came to: the route it matched (for the metrics) and the reply. */
    private record Outcome(String routeName, Reply reply) {}

    private Outcome dispatch(Request request) {
        String method = request.getMethod();
        if (method.equals("OPTIONS")) {
            // why: browsers preflight any path; the spec wants 200 with the CORS headers, whatever the route
            return new Outcome("preflight", Reply.empty());
        }
        Router.Match match;
        try {
            match = router.match(method, request.getHttpURI().getPath());
        } catch (MatrixException e) {
            return new Outcome("unmatched", errorReply(e));
        }
        return switch (match) {
            case Router.NotFound n -> new Outcome("unmatched", errorReply(MatrixException.unrecognized("Unrecognized request", 404)));
            case Router.WrongMethod w -> new Outcome("unmatched",
                    errorReply(MatrixException.unrecognized("Unrecognized request", 405)).withHeader("Allow", String.join(", ", w.allowed())));
            case Router.Found found -> new Outcome(found.endpoint().template(), run(request, found));
        };
    }

    private Reply run(Request request, Router.Found found) {
        Router.Endpoint endpoint = found.endpoint();
        long limit = endpoint.maxBodyBytes() == Router.DEFAULT_BODY_LIMIT ? settings.maxBodyBytes() : endpoint.maxBodyBytes();
        HttpCall call = new HttpCall(request, endpoint.template(), found.pathParams(), limit, MDC.get(REQUEST_ID_MDC));
        try {
            Reply reply = endpoint.route().handle(call);
            if (reply == null) throw new IllegalStateException("the route returned no reply");
            return reply;
        } catch (RuntimeException | StackOverflowError e) {
            return failureReply(request, endpoint.template(), e);
        }
    }

    /** The reply to an endpoint that failed with {@code failure} (thrown, or the failure of a {@link Reply.Later}). */
    private static Reply failureReply(Request request, String template, Throwable failure) {
        Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return switch (e) {
            case MatrixException m -> errorReply(m);
            case HttpCall.BodyReadException b -> bodyReadFailed(request, template, b);
            case HttpException.RuntimeException h -> bodyReadFailed(request, template, h);
            default -> {
                log.error("unexpected error in {} {}", request.getMethod(), template, e);
                yield errorReply(MatrixException.unknown("Internal server error"));
            }
        };
    }

    private static Reply bodyReadFailed(Request request, String template, RuntimeException e) {
        log.debug("could not read the request body of {} {}: {}", request.getMethod(), template, e.toString());
        return errorReply(new MatrixException("M_UNKNOWN", "Could not read the request body", 400));
    }

    private static Reply errorReply(MatrixException e) {
        return Reply.json(e.status(), e.body());
    }

    /** Sends the reply; returns the status actually sent (a reply that cannot be written becomes a 500). */
    private int write(Response response, Reply reply, Callback callback) {
        byte[] bytes;
        String contentType;
        switch (reply.body()) {
            case Reply.Json json -> {
                try {
                    bytes = JsonCodec.MAPPER.writeValueAsBytes(json.value());
                } catch (JacksonException e) {
                    log.error("could not write a reply as JSON", e);
                    reply = errorReply(MatrixException.unknown("Internal server error"));
                    bytes = JsonCodec.MAPPER.writeValueAsBytes(((Reply.Json) reply.body()).value());
                }
                contentType = "application/json";
            }
            case Reply.Raw raw -> {
                bytes = raw.bytes();
                contentType = raw.contentType();
            }
            case Reply.Streamed streamed -> {
                writeStreamed(response, reply, streamed, callback);
                return reply.status();
            }
            case Reply.Later later -> {
                log.error("a deferred reply completed with another deferred reply");
                return write(response, errorReply(MatrixException.unknown("Internal server error")), callback);
            }
        }
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        reply.headers().forEach(response.getHeaders()::put);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return reply.status();
    }

    // why: blocking writes are fine here (a virtual thread); once the headers are out, a failure can only abort
    private void writeStreamed(Response response, Reply reply, Reply.Streamed streamed, Callback callback) {
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, streamed.contentType());
        reply.headers().forEach(response.getHeaders()::put);
        if (streamed.length() >= 0) response.getHeaders().put(HttpHeader.CONTENT_LENGTH, streamed.length());
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            streamed.writer().writeTo(out);
        } catch (IOException | RuntimeException e) {
            log.warn("streamed reply failed after {}: {}", response.isCommitted() ? "the headers were sent" : "nothing was sent", e.toString());
            callback.failed(e);
            return;
        }
        callback.succeeded();
    }

    private void addCorsHeaders(Request request, Response response) {
        String allowed;
        if (settings.corsOrigins().contains("*")) {
            allowed = "*";
        } else {
            String origin = request.getHeaders().get(HttpHeader.ORIGIN);
            allowed = origin != null && settings.corsOrigins().contains(origin) ? origin : null;
            response.getHeaders().add(HttpHeader.VARY, "Origin");
        }
        if (allowed == null) return;
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS);
    }

    private static final char[] ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    // why: request IDs only correlate log lines; they need to be short and distinct, not unguessable
    private static String randomRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] id = new char[10];
        for (int i = 0; i < id.length; i++) id[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        return new String(id);
    }
}
