package dev.myelin.platform.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.metrics.Metrics;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class HttpServerTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int LIMIT = 16 * 1024;

    /** A request body an endpoint binds to a record. */
    record Greeting(String name, int times) {}

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final CountDownLatch slowStarted = new CountDownLatch(1);
    private final CountDownLatch slowMayFinish = new CountDownLatch(1);
    private final CompletableFuture<Reply> laterReply = new CompletableFuture<>();
    private volatile Thread laterRequestThread;
    private Metrics metrics;
    private HttpServer server;
    private URI base;

    @BeforeEach
    void start() throws Exception {
        metrics = Metrics.prometheus();
        server = HttpServer.start(List.of(HttpServer.Listener.plain("127.0.0.1", 0)), routes(),
                new HttpSettings(LIMIT, List.of("*"), Duration.ofSeconds(10)), metrics.registry());
        base = server.uri(0);
    }

    @AfterEach
    void stop() {
        slowMayFinish.countDown();
        server.stop();
    }

    private Router routes() {
        Router router = new Router();
        ServerInfoRoutes.addVersions(router);
        ServerInfoRoutes.addWellKnown(router, "https://matrix.example.org", Optional.of("example.org:8448"));
        ServerInfoRoutes.addMetrics(router, metrics);
        router.post("/greet/{who}", call -> {
            Greeting g = call.json(Greeting.class);
            return Reply.json(Map.of("text", ("hello " + g.name() + " from " + call.pathParam("who") + " ").repeat(g.times())));
        });
        router.post("/echo", call -> Reply.json(call.json()));
        router.post("/refuse", call -> {
            throw MatrixException.forbidden("refused before reading the body");
        });
        router.add("POST", "/big", 64 * 1024, call -> Reply.json(Map.of("length", call.bodyBytes().length)));
        router.get("/stream/{size}", call -> {
            int size = Integer.parseInt(call.pathParam("size"));
            long declared = call.queryParam("chunked").isPresent() ? -1 : size;
            return Reply.streamed(200, "application/octet-stream", declared, out -> {
                byte[] block = new byte[8192];
                for (int sent = 0; sent < size; sent += block.length) out.write(block, 0, Math.min(block.length, size - sent));
            });
        });
        router.get("/boom", call -> {
            throw new IllegalStateException("secret internal detail");
        });
        router.get("/limited", call -> {
            throw MatrixException.limitExceeded(1234);
        });
        router.get("/whoami", call -> Reply.json(Map.of(
                "virtual", Thread.currentThread().isVirtual(),
                "mdc", String.valueOf(MDC.get(MatrixHandler.REQUEST_ID_MDC)),
                "request_id", call.requestId())));
        router.get("/later", call -> {
            // why: answered from another thread once the test says so; the request thread has long returned
            laterRequestThread = Thread.currentThread();
            return Reply.later(laterReply);
        });
        router.get("/later-fails", call -> Reply.later(CompletableFuture.failedFuture(MatrixException.forbidden("not yours"))));
        router.get("/later-breaks", call -> Reply.later(CompletableFuture.failedFuture(new IllegalStateException("secret"))));
        router.get("/slow", call -> {
            slowStarted.countDown();
            try {
                slowMayFinish.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Reply.json(Map.of("done", true));
        });
        return router;
    }

    private HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).method(method, body);
        if (contentType != null) request.header("Content-Type", contentType);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, HttpRequest.BodyPublishers.noBody(), null);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return send("POST", path, HttpRequest.BodyPublishers.ofString(body), "application/json");
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String errcode) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(json(response).get("errcode").asString()).isEqualTo(errcode);
        assertThat(json(response).get("error").asString()).isNotBlank();
    }

    @Test
    void bindsJsonBodyAndPathParameter() throws Exception {
        var response = post("/greet/bob%2Fsmith", "{\"name\":\"alice\",\"times\":2,\"extra\":true}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("text").asString()).isEqualTo("hello alice from bob/smith hello alice from bob/smith ");
    }

    @Test
    void garbageBodiesAreMatrixErrors() throws Exception {
        assertError(post("/echo", "{not json"), 400, "M_NOT_JSON");
        assertError(post("/echo", ""), 400, "M_NOT_JSON");
        assertError(post("/echo", "{\"a\":1} trailing"), 400, "M_NOT_JSON");
        assertError(post("/echo", "{\"a\":1}{\"b\":2}"), 400, "M_NOT_JSON");
        assertError(post("/echo", "[1,2]"), 400, "M_BAD_JSON");
        assertError(post("/greet/x", "{\"name\":\"a\",\"times\":\"many\"}"), 400, "M_BAD_JSON");
        assertThat(json(post("/greet/x", "{\"name\":\"a\",\"times\":\"many\"}")).get("error").asString()).contains("times");
        assertError(send("POST", "/echo", HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, 0, 1}), "image/png"),
                400, "M_NOT_JSON");
        // why: the content type is not checked; valid JSON sent as text/plain is still JSON
        var plain = send("POST", "/echo", HttpRequest.BodyPublishers.ofString("{\"a\":1}"), "text/plain");
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(get("/_matrix/client/versions").statusCode()).isEqualTo(200);
    }

    @Test
    void streamedRepliesWithAndWithoutLength() throws Exception {
        var sized = client.send(HttpRequest.newBuilder(base.resolve("/stream/1000000")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(sized.statusCode()).isEqualTo(200);
        assertThat(sized.body()).hasSize(1_000_000);
        assertThat(sized.headers().firstValue("Content-Length")).hasValue("1000000");
        var chunked = client.send(HttpRequest.newBuilder(base.resolve("/stream/300000?chunked=1")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(chunked.body()).hasSize(300_000);
        assertThat(chunked.headers().firstValue("Content-Length")).isEmpty();
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405() throws Exception {
        assertError(get("/_matrix/client/v3/nothing/here"), 404, "M_UNRECOGNIZED");
        var wrongMethod = send("DELETE", "/echo", HttpRequest.BodyPublishers.noBody(), null);
        assertError(wrongMethod, 405, "M_UNRECOGNIZED");
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void laterReplyIsSentWhenItCompletesWithoutHoldingTheRequestThread() throws Exception {
        var pending = client.sendAsync(HttpRequest.newBuilder(base.resolve("/later")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((laterRequestThread == null || laterRequestThread.isAlive()) && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(laterRequestThread.isAlive()).as("the request thread ended while the reply waits").isFalse();
        assertThat(pending).isNotDone();
        laterReply.complete(Reply.json(Map.of("done", true)));
        var response = pending.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("done").asBoolean()).isTrue();
        assertThat(response.headers().firstValue(MatrixHandler.REQUEST_ID_HEADER)).isPresent();
    }

    @Test
    void failedLaterReplyIsAMatrixError() throws Exception {
        assertError(get("/later-fails"), 403, "M_FORBIDDEN");
        var broken = get("/later-breaks");
        assertError(broken, 500, "M_UNKNOWN");
        assertThat(broken.body()).doesNotContain("secret");
    }

    @Test
    void unexpectedExceptionIsAGeneric500WithRequestId() throws Exception {
        var response = get("/boom");
        assertError(response, 500, "M_UNKNOWN");
        assertThat(response.body()).doesNotContain("secret").doesNotContain("IllegalStateException").doesNotContain("at dev.");
        assertThat(response.headers().firstValue(MatrixHandler.REQUEST_ID_HEADER)).isPresent();
    }

    @Test
    void extraErrorFieldsAreRendered() throws Exception {
        var response = get("/limited");
        assertError(response, 429, "M_LIMIT_EXCEEDED");
        assertThat(json(response).get("retry_after_ms").asLong()).isEqualTo(1234);
    }

    @Test
    void bodyOverDeclaredLengthIsRefusedWithoutReadingIt() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port(0))) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{\"a\":")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // the server answers although almost all of the declared gigabyte is still to come
            String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(head).isEqualTo("HTTP/1.1 413");
        }
        assertThat(post("/echo", "{}").statusCode()).isEqualTo(200);
    }

    @Test
    void earlyReplyToABodyStillArrivingKeepsTheConnection() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port(0))) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            int length = LIMIT * 3;
            out.write(("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // why: the body arrives in pieces after the server has decided on its 413, as from a slow uplink
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    for (int sent = 0; sent < length; sent += 4096) {
                        out.write(new byte[Math.min(4096, length - sent)]);
                        out.flush();
                        Thread.sleep(10);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String status = in.readLine();
            assertThat(status).startsWith("HTTP/1.1 413");
            int contentLength = 0;
            for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                assertThat(line.toLowerCase()).doesNotStartWith("connection: close");
                if (line.toLowerCase().startsWith("content-length:")) contentLength = Integer.parseInt(line.substring(15).trim());
            }
            in.skip(contentLength);
            sending.get(5, TimeUnit.SECONDS);
            out.write("GET /_matrix/client/versions HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(in.readLine()).as("the same connection serves the next request").startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void replyBeforeTheBodyIsReadTellsTheClientTheConnectionCloses() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port(0))) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"a\":")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(reply).startsWith("HTTP/1.1 403").containsIgnoringCase("\r\nConnection: close\r\n");
        }
    }

    @Test
    void connectionStaysOpenWhenTheWholeBodyWasRead() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port(0))) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            String request = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
            out.write((request + request).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // why: both replies arrive on this one connection only if the server kept it open after the first
            var seen = new StringBuilder();
            var in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            int answers = 0;
            while (answers < 2) {
                int n = in.read(buffer);
                if (n < 0) break;
                seen.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
                answers = seen.toString().split("HTTP/1.1 200", -1).length - 1;
            }
            assertThat(seen.toString()).doesNotContainIgnoringCase("connection: close");
            assertThat(answers).isEqualTo(2);
        }
    }

    private String rawExchange(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port(0))) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void requestsJettyRefusesAreStillMatrixErrors() throws Exception {
        String hugeHeader = rawExchange("GET /_matrix/client/versions HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(hugeHeader).startsWith("HTTP/1.1 431").contains("application/json").contains("\"errcode\":\"M_UNKNOWN\"");
        String badPath = rawExchange("GET /a/%2e%2e/b/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(badPath).startsWith("HTTP/1.1 400").contains("\"errcode\":").doesNotContain("<html");
        assertThat(get("/_matrix/client/versions").statusCode()).isEqualTo(200);
    }

    @Test
    void chunkedBodyIsCutOffAtTheLimit() throws Exception {
        byte[] big = ("{\"a\":\"" + "x".repeat(LIMIT * 4) + "\"}").getBytes(StandardCharsets.UTF_8);
        // ofInputStream has no length, so the client sends it chunked
        var response = send("POST", "/echo", HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)), "application/json");
        assertError(response, 413, "M_TOO_LARGE");
        assertThat(post("/echo", "{\"still\":\"serving\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void routeMayRaiseItsOwnLimit() throws Exception {
        String body = "x".repeat(LIMIT * 2);
        assertThat(json(post("/big", body)).get("length").asInt()).isEqualTo(LIMIT * 2);
        assertError(post("/big", "x".repeat(64 * 1024 + 1)), 413, "M_TOO_LARGE");
    }

    @Test
    void preflightIsAnsweredOnAnyPathWithCorsHeaders() throws Exception {
        var response = send("OPTIONS", "/_matrix/client/v3/anything/at/all", HttpRequest.BodyPublishers.noBody(), null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(response.headers().firstValue("Access-Control-Allow-Methods").orElseThrow()).contains("GET", "POST", "PUT", "DELETE", "OPTIONS");
        assertThat(response.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
                .contains("Authorization", "Content-Type", "X-Requested-With");
        assertThat(get("/nope").headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    }

    @Test
    void endpointsRunOnVirtualThreadsWithTheRequestIdInTheLogContext() throws Exception {
        var response = get("/whoami");
        JsonNode body = json(response);
        assertThat(body.get("virtual").asBoolean()).isTrue();
        String id = response.headers().firstValue(MatrixHandler.REQUEST_ID_HEADER).orElseThrow();
        assertThat(body.get("mdc").asString()).isEqualTo(id);
        assertThat(body.get("request_id").asString()).isEqualTo(id);
        assertThat(get("/whoami").headers().firstValue(MatrixHandler.REQUEST_ID_HEADER)).isNotEqualTo(Optional.of(id));
    }

    @Test
    void versionsAndWellKnown() throws Exception {
        JsonNode versions = json(get("/_matrix/client/versions"));
        assertThat(JSON.convertValue(versions.get("versions"), List.class)).isEqualTo(ServerInfoRoutes.SPEC_VERSIONS);
        assertThat(versions.get("unstable_features").isObject()).isTrue();
        assertThat(json(get("/.well-known/matrix/client")).at("/m.homeserver/base_url").asString()).isEqualTo("https://matrix.example.org");
        assertThat(json(get("/.well-known/matrix/server")).get("m.server").asString()).isEqualTo("example.org:8448");
    }

    @Test
    void metricsCountRequestsByRouteTemplateAndStatus() throws Exception {
        get("/_matrix/client/versions");
        post("/greet/someone", "{\"times\":\"many\"}");
        var response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(response.body())
                .contains("myelin_http_requests_seconds_count{method=\"GET\",route=\"/_matrix/client/versions\",status=\"200\"} 1")
                .contains("route=\"/greet/{who}\",status=\"400\"")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void gracefulStopFinishesTheRequestInFlight() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                HttpRequest.newBuilder(base.resolve("/slow")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(slowStarted.await(5, TimeUnit.SECONDS)).isTrue();
        Thread stopper = Thread.ofPlatform().start(server::stop);
        Thread.sleep(200); // the stop is now waiting for /slow
        assertThat(stopper.isAlive()).isTrue();
        slowMayFinish.countDown();
        HttpResponse<String> response = slow.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("done").asBoolean()).isTrue();
        stopper.join(10_000);
        assertThat(stopper.isAlive()).isFalse();
    }

    @Test
    void tlsListenerServesWithAPemCertificate(@TempDir Path dir) throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
        Router router = new Router();
        ServerInfoRoutes.addVersions(router);
        try (HttpServer tls = HttpServer.start(List.of(HttpServer.Listener.tls("127.0.0.1", 0, cert.certPem(), cert.keyPem())),
                router, HttpSettings.defaults(), Metrics.disabled().registry())) {
            assertThat(tls.uri(0).getScheme()).isEqualTo("https");
            HttpClient tlsClient = HttpClient.newBuilder().sslContext(cert.trustingContext()).build();
            var response = tlsClient.send(HttpRequest.newBuilder(tls.uri(0).resolve("/_matrix/client/versions")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("versions");
        }
    }

    @Test
    void busyPortFailsWithAClearMessage() {
        var busy = HttpServer.Listener.plain("127.0.0.1", server.port(0));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> HttpServer.start(List.of(busy), new Router(), HttpSettings.defaults(), Metrics.disabled().registry()))
                .isInstanceOf(HttpServer.StartException.class)
                .hasMessageStartingWith("cannot listen on 127.0.0.1:" + server.port(0));
    }

}
