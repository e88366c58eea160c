package dev.myelin.syncapi;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.clientapi.routing.RoomClientApi;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Databases;
import dev.myelin.platform.http.HttpServer;
import dev.myelin.platform.http.HttpSettings;
import dev.myelin.platform.http.Router;
import dev.myelin.platform.stream.InProcessStreams;
import dev.myelin.platform.stream.StreamTables;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.room.RoomVersions;
import dev.myelin.roomserver.api.ProfileLookup;
import dev.myelin.roomserver.internal.LocalRoomserver;
import dev.myelin.syncapi.consumers.EventStoreSource;
import dev.myelin.syncapi.consumers.OutputRoomEventConsumer;
import dev.myelin.syncapi.internal.Notifier;
import dev.myelin.syncapi.internal.SyncComponent;
import dev.myelin.syncapi.consumers.OutputNotificationDataConsumer;
import dev.myelin.userapi.api.LoginResult;
import dev.myelin.userapi.api.OutputNotificationData;
import dev.myelin.userapi.api.OutputReceiptEvent;
import dev.myelin.userapi.consumers.NotificationConsumers;
import dev.myelin.userapi.internal.PushNotifications;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real thing in one process, as the embedded shape wires it: userapi, the roomserver with its room routes,
 * the in-process OutputRoomEvent stream, and syncapi consuming it; HTTP on 127.0.0.1 port 0.
 */
public final class RoomsAndSyncServer implements AutoCloseable {
    public static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ExecutorService POLLS = Executors.newVirtualThreadPerTaskExecutor();

    public final LocalUserApi users;
    private final DatabaseConfig config;
    private final Database userDb;
    private final Database roomDb;
    private Database syncDb;
    private InProcessStreams streams;
    private LocalRoomserver rooms;
    private SyncComponent sync;
    private HttpServer server;
    private String base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public RoomsAndSyncServer(DatabaseConfig config) throws Exception {
        this.config = config;
        userDb = Databases.open(config, "userapi");
        roomDb = Databases.open(config, "roomserver");
        users = new LocalUserApi(userDb, new UserApiSettings("test.local", PasswordHasher.Cost.TEST, Duration.ofMinutes(5)),
                Clock.systemUTC(), new SecureRandom());
        start();
    }

    private void start() throws Exception {
        streams = new InProcessStreams(Duration.ofMillis(200));
        syncDb = Databases.open(config, SyncComponent.DATABASE);
        rooms = new LocalRoomserver(roomDb, streams, new LocalRoomserver.Settings("test.local", SigningKey.generate(new SecureRandom()),
                RoomVersions.get("11")), ProfileLookup.NONE, Clock.systemUTC(), new SecureRandom());
        Notifier notifier = new Notifier();
        // why: the outboxes of the receipt and notification streams must exist before their producers are made
        StreamTables.migrate(syncDb);
        StreamTables.migrate(userDb);
        // push notifications, as the server wires them: userapi consumes room events and receipts
        PushNotifications push = new PushNotifications(userDb, rooms.events(), rooms::stateBefore, users,
                streams.producer(OutputNotificationData.STREAM, userDb), Clock.systemUTC());
        users.onAccountDataChange(push::rulesChanged);
        sync = new SyncComponent(syncDb, new EventStoreSource(rooms.events()), users, notifier, List.of(),
                Clock.systemUTC(), SyncComponent.Settings.DEFAULTS,
                Optional.of(streams.producer(OutputReceiptEvent.STREAM, syncDb)), null);
        users.onAccountDataChange(notifier::wakeUser);
        OutputRoomEventConsumer.declare(streams);
        OutputNotificationDataConsumer.declare(streams);
        NotificationConsumers.declare(streams);
        OutputRoomEventConsumer.start(streams, syncDb, sync.indexer());
        OutputNotificationDataConsumer.start(streams, syncDb, notifier);
        NotificationConsumers.start(streams, userDb, push);
        Router router = new Router();
        RoomClientApi.addRoutes(router, users, rooms, sync.annotations());
        sync.addRoutes(router, new Authenticator(users));
        server = HttpServer.start(List.of(HttpServer.Listener.plain("127.0.0.1", 0)), router, HttpSettings.defaults(),
                new SimpleMeterRegistry());
        base = "http://127.0.0.1:" + server.port(0);
    }

    /** Stops everything but the databases and starts again over them, as a server restart would. */
    public void restart() throws Exception {
        stop();
        start();
    }

    private void stop() {
        try {
            server.stop();
            sync.close();
        } finally {
            streams.close();
            syncDb.close();
        }
    }

    public SyncComponent sync() { return sync; }

    /** The roomserver, for input a client cannot make (events built elsewhere). */
    public LocalRoomserver rooms() { return rooms; }

    /** Creates an account and logs a device in; returns the access token. */
    public String user(String localpart) {
        users.createAccount(localpart, Optional.empty(), false, false);
        LoginResult login = users.login(localpart, Optional.of("DEV" + localpart), Optional.empty(), false, "127.0.0.1",
                Optional.empty());
        return login.accessToken();
    }

    /** Encodes a path segment (room IDs, event IDs). */
    public static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static String id(String localpart) {
        return "@" + localpart + ":test.local";
    }

    public JsonNode call(String method, String path, String token, Object body) throws Exception {
        Response response = request(method, path, token, body);
        if (response.status() != 200) throw new AssertionError(method + " " + path + " → " + response.status() + " " + response.body());
        return response.body();
    }

    /** A response of any status: its status and JSON body. */
    public record Response(int status, JsonNode body) {
        public String errcode() { return body.path("errcode").asString(""); }
    }

    public Response request(String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) request.header("Authorization", "Bearer " + token);
        String text = body == null ? null : JSON.writeValueAsString(body);
        request.method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        return new Response(response.statusCode(), json);
    }

    public String createRoom(String token, Map<String, ?> body) throws Exception {
        return call("POST", "/_matrix/client/v3/createRoom", token, body).path("room_id").asString();
    }

    private int txn;

    public String send(String token, String roomId, String body) throws Exception {
        return call("PUT", "/_matrix/client/v3/rooms/" + roomId + "/send/m.room.message/t" + (++txn), token,
                Map.of("msgtype", "m.text", "body", body)).path("event_id").asString();
    }

    public String state(String token, String roomId, String type, String stateKey, Map<String, ?> content) throws Exception {
        return call("PUT", "/_matrix/client/v3/rooms/" + roomId + "/state/" + type + "/" + stateKey, token, content)
                .path("event_id").asString();
    }

    public void join(String token, String roomId) throws Exception {
        call("POST", "/_matrix/client/v3/rooms/" + roomId + "/join", token, Map.of());
    }

    public void leave(String token, String roomId) throws Exception {
        call("POST", "/_matrix/client/v3/rooms/" + roomId + "/leave", token, Map.of());
    }

    public void invite(String token, String roomId, String userId) throws Exception {
        call("POST", "/_matrix/client/v3/rooms/" + roomId + "/invite", token, Map.of("user_id", userId));
    }

    public JsonNode sync(String token, String query) throws Exception {
        return call("GET", "/_matrix/client/v3/sync" + (query.isEmpty() ? "" : "?" + query), token, null);
    }

    public CompletableFuture<JsonNode> syncAsync(String token, String query) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return sync(token, query);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, POLLS);
    }

    /**
     * Syncs until {@code eventId} has been indexed (the stream is asynchronous: a send's 200 means stored, not yet
     * seen by sync) and returns the next_batch that includes it.
     */
    public String syncPast(String token, String since, String eventId) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String next = since;
        while (System.nanoTime() < deadline) {
            JsonNode r = sync(token, (next == null ? "" : "since=" + next + "&") + "timeout=1000");
            if (r.toString().contains(eventId)) return r.path("next_batch").asString();
            next = r.path("next_batch").asString();
        }
        throw new AssertionError("sync never saw " + eventId);
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            roomDb.close();
            userDb.close();
        }
    }
}
