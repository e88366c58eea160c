package dev.myelin.bench.load;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A minimal client-server API client for load generation: only spec endpoints, so the same scenario runs against
 * any homeserver. A 429 is waited out ({@code retry_after_ms}) and retried; any other error fails the scenario.
 */
public final class MatrixClient {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicLong TXN = new AtomicLong(System.nanoTime());

    private final HttpClient http;
    private final String baseUrl;
    private final String accessToken;
    public final String userId;
    private final java.util.concurrent.locks.ReentrantLock sendLock = new java.util.concurrent.locks.ReentrantLock();
    private KeepAliveConnection connection; // guarded by sendLock

    private MatrixClient(HttpClient http, String baseUrl, String accessToken, String userId) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.accessToken = accessToken;
        this.userId = userId;
    }

    /** A client sharing {@code http}'s connection pool, not logged in. */
    public static MatrixClient anonymous(HttpClient http, String baseUrl) {
        return new MatrixClient(http, baseUrl, null, null);
    }

    public static HttpClient newHttp() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Registers {@code localpart} with the dummy stage of user-interactive auth and returns the logged-in client. */
    public MatrixClient register(String localpart, String password) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("username", localpart).put("password", password)
                .put("initial_device_display_name", "myelin-bench");
        Reply first = call("POST", "/_matrix/client/v3/register", body, Duration.ofSeconds(30));
        JsonNode done = first.json;
        if (first.status == 401) {
            body.putObject("auth").put("type", "m.login.dummy").put("session", first.json.path("session").asString());
            done = call("POST", "/_matrix/client/v3/register", body, Duration.ofSeconds(30)).expectOk();
        } else {
            first.expectOk();
        }
        return new MatrixClient(http, baseUrl, done.path("access_token").asString(), done.path("user_id").asString());
    }

    public String createRoom(ObjectNode request) throws IOException, InterruptedException {
        return call("POST", "/_matrix/client/v3/createRoom", request, Duration.ofSeconds(30)).expectOk().path("room_id").asString();
    }

    public void join(String roomId) throws IOException, InterruptedException {
        call("POST", "/_matrix/client/v3/join/" + encode(roomId), JSON.createObjectNode(), Duration.ofSeconds(30)).expectOk();
    }

    /** Sends an m.room.message and returns its event ID. */
    public String send(String roomId, String body) throws IOException, InterruptedException {
        ObjectNode content = JSON.createObjectNode().put("msgtype", "m.text").put("body", body);
        String path = "/_matrix/client/v3/rooms/" + encode(roomId) + "/send/m.room.message/b" + TXN.incrementAndGet();
        if (!baseUrl.startsWith("http://")) {
            return call("PUT", path, content, Duration.ofSeconds(30)).expectOk().path("event_id").asString();
        }
        // why: the measured request goes over this client's own kept-alive socket (see KeepAliveConnection)
        sendLock.lock();
        try {
            if (connection == null) connection = new KeepAliveConnection(baseUrl);
            while (true) {
                KeepAliveConnection.Response response = connection.exchange("PUT", path, accessToken, JSON.writeValueAsBytes(content));
                JsonNode json = response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
                if (response.status() == 429) {
                    Thread.sleep(Math.max(10, json.path("retry_after_ms").asLong(100)));
                    continue;
                }
                return new Reply("PUT " + path, response.status(), json).expectOk().path("event_id").asString();
            }
        } finally {
            sendLock.unlock();
        }
    }

    /** One /sync call; {@code since} may be null for an initial sync. */
    public JsonNode sync(String since, long timeoutMs, String filterJson) throws IOException, InterruptedException {
        var path = new StringBuilder("/_matrix/client/v3/sync?timeout=").append(timeoutMs);
        if (since != null) path.append("&since=").append(encode(since));
        if (filterJson != null) path.append("&filter=").append(encode(filterJson));
        return call("GET", path.toString(), null, Duration.ofMillis(timeoutMs + 30_000)).expectOk();
    }

    /** The raw request, for scenarios that hold many requests open at once. */
    public HttpRequest request(String method, String path, JsonNode body, Duration timeout) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout);
        if (body == null && method.equals("GET")) {
            // why: method("GET", noBody()) sends "Content-Length: 0", which no browser or Matrix SDK sends on a GET;
            // Jetty keeps a connection's 8 KiB input buffer for as long as such a request runs (a long poll!)
            builder.GET();
        } else {
            builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        }
        if (body != null) builder.header("Content-Type", "application/json");
        if (accessToken != null) builder.header("Authorization", "Bearer " + accessToken);
        return builder.build();
    }

    public HttpClient http() {
        return http;
    }

    Reply call(String method, String path, JsonNode body, Duration timeout) throws IOException, InterruptedException {
        while (true) {
            HttpResponse<byte[]> response = http.send(request(method, path, body, timeout), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
            if (response.statusCode() == 429) {
                Thread.sleep(Math.max(10, json.path("retry_after_ms").asLong(100)));
                continue;
            }
            return new Reply(method + " " + path, response.statusCode(), json);
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    record Reply(String what, int status, JsonNode json) {
        JsonNode expectOk() throws IOException {
            if (status != 200) throw new IOException(what + " → " + status + " " + json);
            return json;
        }
    }
}
