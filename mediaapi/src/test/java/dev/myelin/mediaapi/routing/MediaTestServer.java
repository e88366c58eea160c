package dev.myelin.mediaapi.routing;

import dev.myelin.mediaapi.api.MediaAuthenticator;
import dev.myelin.mediaapi.api.MediaSettings;
import dev.myelin.mediaapi.api.RemoteMediaSource;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.HttpServer;
import dev.myelin.platform.http.HttpSettings;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Router;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A running HTTP server with the media routes over a test database and a temporary store, with a fake
 * authenticator (tokens {@code alice-token} and {@code bob-token}), and a small client for it.
 */
final class MediaTestServer implements AutoCloseable {
    static final String SERVER_NAME = "test.local";
    static final String ALICE = "alice-token";
    static final String BOB = "bob-token";
    static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Map<String, String> USERS = Map.of(ALICE, "@alice:test.local", BOB, "@bob:test.local");

    /** Recognises the two test tokens, as the client API's authenticator would. */
    static final MediaAuthenticator FAKE_AUTH = call -> {
        String token = call.accessToken().orElseThrow(() -> new MatrixException("M_MISSING_TOKEN", "Missing access token", 401));
        String user = USERS.get(token);
        if (user == null) throw new MatrixException("M_UNKNOWN_TOKEN", "Unrecognised access token", 401);
        return user;
    };

    /** An HTTP answer. */
    record Response(int status, byte[] bytes, java.net.http.HttpHeaders headers) {
        JsonNode json() { return bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes); }
        String errcode() { return json().path("errcode").asString(""); }
        String header(String name) { return headers.firstValue(name).orElse(null); }
        String text() { return new String(bytes, StandardCharsets.UTF_8); }
    }

    final MediaApi api;
    final MediaSettings settings;
    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final String base;

    MediaTestServer(Database db, MediaSettings settings) throws Exception {
        this(db, settings, RemoteMediaSource.NONE);
    }

    MediaTestServer(Database db, MediaSettings settings, RemoteMediaSource remote) throws Exception {
        this.settings = settings;
        Router router = new Router();
        api = MediaApi.addRoutes(router, settings, db, FAKE_AUTH, remote, Clock.systemUTC(), new SecureRandom());
        server = HttpServer.start(List.of(HttpServer.Listener.plain("127.0.0.1", 0)), router, HttpSettings.defaults(),
                new SimpleMeterRegistry());
        base = "http://127.0.0.1:" + server.port(0);
    }

    int port() { return server.port(0); }

    Response send(String method, String path, String token, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) request.header("Authorization", "Bearer " + token);
        if (contentType != null) request.header("Content-Type", contentType);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Response(response.statusCode(), response.body(), response.headers());
    }

    /** Sends the body chunked (no Content-Length), so only reading it reveals its size. */
    Response sendChunked(String method, String path, String token, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)));
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Response(response.statusCode(), response.body(), response.headers());
    }

    Response get(String path, String token) throws Exception { return send("GET", path, token, null, null); }

    /** Uploads {@code bytes} and returns the media ID of the content URI (asserting success). */
    String upload(byte[] bytes, String contentType, Optional<String> fileName) throws Exception {
        String query = fileName.map(n -> "?filename=" + java.net.URLEncoder.encode(n, StandardCharsets.UTF_8)).orElse("");
        Response r = send("POST", "/_matrix/media/v3/upload" + query, ALICE, bytes, contentType);
        if (r.status() != 200) throw new AssertionError("upload failed: " + r.status() + " " + r.text());
        String uri = r.json().path("content_uri").asString();
        if (!uri.startsWith("mxc://" + SERVER_NAME + "/")) throw new AssertionError("bad content_uri " + uri);
        return uri.substring(("mxc://" + SERVER_NAME + "/").length());
    }

    @Override
    public void close() {
        server.stop();
        api.close();
    }
}
