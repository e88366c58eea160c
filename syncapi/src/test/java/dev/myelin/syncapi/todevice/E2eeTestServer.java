package dev.myelin.syncapi.todevice;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.clientapi.auth.RateLimiter;
import dev.myelin.clientapi.routing.ClientApiSettings;
import dev.myelin.clientapi.routing.KeysRoutes;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Databases;
import dev.myelin.platform.http.HttpServer;
import dev.myelin.platform.http.HttpSettings;
import dev.myelin.platform.http.Router;
import dev.myelin.platform.stream.InProcessStreams;
import dev.myelin.platform.stream.StreamTables;
import dev.myelin.platform.stream.Subscription;
import dev.myelin.syncapi.FakeRooms;
import dev.myelin.syncapi.internal.IndexedMemberships;
import dev.myelin.syncapi.internal.NewRoomEvent;
import dev.myelin.syncapi.internal.Notifier;
import dev.myelin.syncapi.internal.SyncComponent;
import dev.myelin.userapi.api.LoginResult;
import dev.myelin.userapi.internal.LocalUserApi;
import dev.myelin.userapi.internal.PasswordHasher;
import dev.myelin.userapi.internal.UserApiSettings;
import dev.myelin.userapi.keys.LocalKeyServer;
import dev.myelin.userapi.keys.OutputKeyChangeEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Syncapi with its E2EE part, the key endpoints and a real userapi over HTTP on 127.0.0.1, with {@link FakeRooms} as
 * the roomserver; {@link #restart()} rebuilds everything but the databases, as a server restart would.
 */
final class E2eeTestServer implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** An HTTP answer: status and JSON body. */
    record Response(int status, JsonNode body) {
        String errcode() { return body.path("errcode").asString(""); }
    }

    final FakeRooms rooms = new FakeRooms();
    private final DatabaseConfig config;
    private final Database userDb;
    private final Map<String, String> memberEvents = new HashMap<>();
    LocalUserApi users;
    LocalKeyServer keys;
    E2eeSync e2ee;
    Notifier notifier;
    private Database syncDb;
    private Database clientDb;
    private InProcessStreams streams;
    private Subscription keyChanges;
    private HttpServer server;
    private String base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    E2eeTestServer(DatabaseConfig config) throws Exception {
        this.config = config;
        userDb = Databases.open(config, "userapi");
        StreamTables.migrate(userDb);
        start();
    }

    private void start() throws Exception {
        streams = new InProcessStreams(Duration.ofMillis(200));
        users = new LocalUserApi(userDb, new UserApiSettings("test.local", PasswordHasher.Cost.TEST, Duration.ofMinutes(5)),
                Clock.systemUTC(), new SecureRandom());
        keys = new LocalKeyServer(userDb, streams.producer(OutputKeyChangeEvent.STREAM, userDb), "test.local", Clock.systemUTC());
        users.onDeviceRemoved(keys::deviceRemoved);
        syncDb = Databases.open(config, SyncComponent.DATABASE);
        clientDb = Databases.open(config, "clientapi");
        notifier = new Notifier();
        e2ee = E2eeSync.create(syncDb, users, keys, new IndexedMemberships(syncDb), notifier, rooms, Clock.systemUTC());
        SyncComponent sync = new SyncComponent(syncDb, rooms, users, notifier, e2ee.extensions(), Clock.systemUTC());
        rooms.feed(sync.indexer());
        keyChanges = e2ee.subscribeKeyChanges(streams, syncDb);
        Router router = new Router();
        Authenticator auth = new Authenticator(users);
        sync.addRoutes(router, auth);
        e2ee.addRoutes(router, auth);
        KeysRoutes.addRoutes(router, clientDb, users, keys, new ClientApiSettings(true, false, true, Optional.empty(),
                RateLimiter.Limit.UNLIMITED, RateLimiter.Limit.UNLIMITED, ClientApiSettings.Turn.none()), Clock.systemUTC(), new SecureRandom());
        server = HttpServer.start(List.of(HttpServer.Listener.plain("127.0.0.1", 0)), router, HttpSettings.defaults(),
                new SimpleMeterRegistry());
        base = "http://127.0.0.1:" + server.port(0);
    }

    private void stop() {
        server.stop();
        keyChanges.close();
        streams.close();
        syncDb.close();
        clientDb.close();
    }

    /** Stops everything but the databases and starts again over them. */
    void restart() throws Exception {
        stop();
        start();
    }

    /** Creates an account and logs device {@code deviceId} in; returns the access token. */
    String user(String localpart, String deviceId) {
        if (users.account(localpart).isEmpty()) users.createAccount(localpart, Optional.empty(), false, false);
        LoginResult login = users.login(localpart, Optional.of(deviceId), Optional.empty(), false, "127.0.0.1", Optional.empty());
        return login.accessToken();
    }

    static String id(String localpart) { return "@" + localpart + ":test.local"; }

    /** A membership change in a fake room, fed to sync's indexer and to device-list tracking as the streams would. */
    void membership(String roomId, String user, String membership) {
        String eventId = rooms.member(roomId, user, user, membership);
        String previous = memberEvents.put(roomId + "|" + user, eventId);
        e2ee.deviceLists().roomEvent(new NewRoomEvent(roomId, eventId, List.of(eventId),
                previous == null ? List.of() : List.of(previous), null, null), tx -> true);
    }

    /** A room created by {@code creator} (who then stays in it). */
    String createRoom(String creator) {
        return rooms.createRoom(creator);
    }

    Response call(String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) request.header("Authorization", "Bearer " + token);
        String text = body == null ? null : JSON.writeValueAsString(body);
        request.method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body()));
    }

    /** {@code GET /sync} with the given query; fails unless 200. */
    JsonNode sync(String token, String query) throws Exception {
        Response r = call("GET", "/_matrix/client/v3/sync" + (query.isEmpty() ? "" : "?" + query), token, null);
        if (r.status() != 200) throw new AssertionError("sync failed: " + r);
        return r.body();
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            userDb.close();
        }
    }
}
