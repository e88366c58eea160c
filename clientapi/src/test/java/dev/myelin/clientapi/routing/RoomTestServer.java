package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.routing.TestServer.Response;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Databases;
import dev.myelin.platform.http.HttpServer;
import dev.myelin.platform.http.HttpSettings;
import dev.myelin.platform.http.Router;
import dev.myelin.platform.stream.InProcessStreams;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.room.RoomVersions;
import dev.myelin.roomserver.api.ProfileLookup;
import dev.myelin.roomserver.internal.LocalRoomserver;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** A running HTTP server with the account and room endpoints over fresh userapi and roomserver databases. */
final class RoomTestServer implements AutoCloseable {
    final Database userDb;
    final Database clientDb;
    final Database roomDb;
    final LocalUserApi users;
    final LocalRoomserver rooms;
    private final InProcessStreams streams = new InProcessStreams();
    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;

    RoomTestServer(DatabaseConfig config) throws Exception {
        userDb = Databases.open(config, "userapi");
        clientDb = Databases.open(config, "clientapi");
        roomDb = Databases.open(config, "roomserver");
        users = new LocalUserApi(userDb, new UserApiSettings(TestServer.SERVER_NAME, PasswordHasher.Cost.TEST, Duration.ofMinutes(5)),
                Clock.systemUTC(), new SecureRandom());
        ProfileLookup profiles = new ProfileLookup() {
            @Override
            public Optional<Profile> profile(String userId) {
                if (!userId.endsWith(":" + TestServer.SERVER_NAME)) return Optional.empty();
                return users.profile(userId.substring(1, userId.indexOf(':'))).map(p -> new ProfileLookup.Profile(
                        p.path("displayname").isString() ? p.get("displayname").asString() : null,
                        p.path("avatar_url").isString() ? p.get("avatar_url").asString() : null));
            }

            @Override
            public boolean isErased(String userId) {
                return users.isErased(userId);
            }

            @Override
            public boolean isGuest(String userId) {
                if (!userId.endsWith(":" + TestServer.SERVER_NAME)) return false;
                return users.account(userId.substring(1, userId.indexOf(':'))).map(a -> a.isGuest()).orElse(false);
            }
        };
        rooms = new LocalRoomserver(roomDb, streams, new LocalRoomserver.Settings(TestServer.SERVER_NAME,
                SigningKey.generate(new SecureRandom()), RoomVersions.DEFAULT), profiles, Clock.systemUTC(), new SecureRandom());
        Router router = new Router();
        ClientApi.addRoutes(router, clientDb, users, TestServer.openSettings(), Clock.systemUTC(), new SecureRandom(),
                AccountRooms.of(rooms));
        RoomClientApi.addRoutes(router, users, rooms);
        server = HttpServer.start(List.of(HttpServer.Listener.plain("127.0.0.1", 0)), router, HttpSettings.defaults(),
                new SimpleMeterRegistry());
        base = "http://127.0.0.1:" + server.port(0);
    }

    Response call(String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) request.header("Authorization", "Bearer " + token);
        String text = body == null ? null : body instanceof String s ? s : TestServer.JSON.writeValueAsString(body);
        request.method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? TestServer.JSON.createObjectNode() : TestServer.JSON.readTree(response.body());
        return new Response(response.statusCode(), json);
    }

    Response get(String path, String token) throws Exception { return call("GET", path, token, null); }

    Response post(String path, String token, Object body) throws Exception { return call("POST", path, token, body); }

    Response put(String path, String token, Object body) throws Exception { return call("PUT", path, token, body); }

    Response delete(String path, String token) throws Exception { return call("DELETE", path, token, null); }

    /** Registers a user (dummy auth) and returns the access token. */
    String register(String username) throws Exception {
        Map<String, Object> body = Map.of("username", username, "password", "pw-" + username);
        Response first = post("/_matrix/client/v3/register", null, body);
        Response done = first.status() == 401
                ? post("/_matrix/client/v3/register", null, Map.of("username", username, "password", "pw-" + username,
                        "auth", Map.of("type", "m.login.dummy", "session", first.text("session"))))
                : first;
        if (done.status() != 200) throw new AssertionError("registration failed: " + done);
        return done.text("access_token");
    }

    /** Encodes a path segment (room IDs, aliases, event IDs). */
    static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        server.stop();
        streams.close();
        roomDb.close();
        clientDb.close();
        userDb.close();
    }
}
