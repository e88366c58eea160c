package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.RateLimiter;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Databases;
import dev.myelin.platform.http.HttpServer;
import dev.myelin.platform.http.HttpSettings;
import dev.myelin.platform.http.Router;
import dev.myelin.userapi.internal.LocalUserApi;
import dev.myelin.userapi.internal.PasswordHasher;
import dev.myelin.userapi.internal.UserApiSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A running HTTP server with the client API over a test database, and a small JSON client for it. */
final class TestServer implements AutoCloseable {
    static final String SERVER_NAME = "test.local";
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** A clock tests can move. */
    static final class MovableClock extends Clock {
        volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
        void advance(Duration d) { now = now.plus(d); }
    }

    /** An HTTP answer: status and JSON body. */
    record Response(int status, JsonNode body) {
        String errcode() { return body.path("errcode").asString(""); }
        String text(String field) { return body.path(field).asString(); }
    }

    final MovableClock clock = new MovableClock();
    final LocalUserApi users;
    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    private final Database clientDb;

    /** A server over the test's userapi database; the clientapi database (UIA sessions) sits beside it. */
    TestServer(Database db, DatabaseConfig storage, ClientApiSettings settings) throws Exception {
        users = new LocalUserApi(db, new UserApiSettings(SERVER_NAME, PasswordHasher.Cost.TEST, Duration.ofMinutes(5)),
                clock, new SecureRandom());
        clientDb = Databases.open(storage, "clientapi");
        Router router = new Router();
        ClientApi.addRoutes(router, clientDb, users, settings, clock, new SecureRandom());
        server = HttpServer.start(List.of(HttpServer.Listener.plain("127.0.0.1", 0)), router, HttpSettings.defaults(),
                new SimpleMeterRegistry());
        base = "http://127.0.0.1:" + server.port(0);
    }

    /** Open registration, guests on, no rate limits, a shared secret. */
    static ClientApiSettings openSettings() {
        return new ClientApiSettings(true, false, true, Optional.of("s3cret"), RateLimiter.Limit.UNLIMITED,
                RateLimiter.Limit.UNLIMITED, ClientApiSettings.Turn.none());
    }

    Response call(String method, String path, Optional<String> token, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        String text = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
        request.method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        return new Response(response.statusCode(), json);
    }

    /** A request whose answer is not JSON (e.g. an HTML page): the raw response. */
    HttpResponse<String> raw(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (contentType != null) request.header("Content-Type", contentType);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    Response get(String path, String token) throws Exception { return call("GET", path, Optional.ofNullable(token), null); }

    Response post(String path, String token, Object body) throws Exception { return call("POST", path, Optional.ofNullable(token), body); }

    Response put(String path, String token, Object body) throws Exception { return call("PUT", path, Optional.ofNullable(token), body); }

    Response delete(String path, String token, Object body) throws Exception { return call("DELETE", path, Optional.ofNullable(token), body); }

    /** Registers {@code username} through the dummy UIA flow and returns the login response. */
    Response register(String username, String password) throws Exception {
        Response first = post("/_matrix/client/v3/register", null, Map.of("username", username, "password", password));
        if (first.status() != 401) return first;
        return post("/_matrix/client/v3/register", null, Map.of("username", username, "password", password,
                "auth", Map.of("type", "m.login.dummy", "session", first.text("session"))));
    }

    /** Registers and returns the access token. */
    String registerToken(String username, String password) throws Exception {
        Response r = register(username, password);
        if (r.status() != 200) throw new AssertionError("registration failed: " + r);
        return r.text("access_token");
    }

    static Map<String, Object> passwordAuth(String user, String password, String session) {
        return session == null
                ? Map.of("type", "m.login.password", "identifier", Map.of("type", "m.id.user", "user", user), "password", password)
                : Map.of("type", "m.login.password", "identifier", Map.of("type", "m.id.user", "user", user), "password", password,
                        "session", session);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } finally {
            clientDb.close();
        }
    }
}
