package dev.myelin.syncapi.todevice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.clientapi.routing.RoomClientApi;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Databases;
import dev.myelin.platform.db.testing.DatabaseTest;
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
import dev.myelin.syncapi.internal.IndexedMemberships;
import dev.myelin.syncapi.internal.Notifier;
import dev.myelin.syncapi.internal.SyncComponent;
import dev.myelin.userapi.internal.LocalUserApi;
import dev.myelin.userapi.internal.PasswordHasher;
import dev.myelin.userapi.internal.UserApiSettings;
import dev.myelin.userapi.keys.LocalKeyServer;
import dev.myelin.userapi.keys.OutputKeyChangeEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * Device lists over the real roomserver and both streams, wired as the embedded server wires them: joins and leaves
 * reach {@code device_lists} through the OutputRoomEvent stream, key changes through the key server's outbox.
 */
class E2eeOverRoomserverTest {

    /** The server under test: userapi with its key server, roomserver, syncapi with the E2EE part, over HTTP. */
    private static final class Server implements AutoCloseable {
        final LocalUserApi users;
        final LocalKeyServer keys;
        private final Database userDb;
        private final Database roomDb;
        private final Database syncDb;
        private final InProcessStreams streams = new InProcessStreams(Duration.ofMillis(200));
        private final SyncComponent sync;
        private final HttpServer http;
        private final String base;
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        Server(DatabaseConfig config) throws Exception {
            userDb = Databases.open(config, "userapi");
            roomDb = Databases.open(config, "roomserver");
            syncDb = Databases.open(config, SyncComponent.DATABASE);
            StreamTables.migrate(userDb);
            users = new LocalUserApi(userDb, new UserApiSettings("test.local", PasswordHasher.Cost.TEST, Duration.ofMinutes(5)),
                    Clock.systemUTC(), new SecureRandom());
            keys = new LocalKeyServer(userDb, streams.producer(OutputKeyChangeEvent.STREAM, userDb), "test.local", Clock.systemUTC());
            users.onDeviceRemoved(keys::deviceRemoved);
            LocalRoomserver rooms = new LocalRoomserver(roomDb, streams, new LocalRoomserver.Settings("test.local",
                    SigningKey.generate(new SecureRandom()), RoomVersions.get("11")), ProfileLookup.NONE, Clock.systemUTC(),
                    new SecureRandom());
            Notifier notifier = new Notifier();
            EventStoreSource source = new EventStoreSource(rooms.events());
            E2eeSync e2ee = E2eeSync.create(syncDb, users, keys, new IndexedMemberships(syncDb), notifier, source, Clock.systemUTC());
            sync = new SyncComponent(syncDb, source, users, notifier, e2ee.extensions(), Clock.systemUTC());
            OutputRoomEventConsumer.declare(streams);
            E2eeSync.declare(streams);
            OutputRoomEventConsumer.start(streams, syncDb, sync.indexer());
            e2ee.subscribeKeyChanges(streams, syncDb);
            e2ee.subscribeRoomEvents(streams, syncDb);
            Router router = new Router();
            Authenticator auth = new Authenticator(users);
            RoomClientApi.addRoutes(router, users, rooms);
            sync.addRoutes(router, auth);
            e2ee.addRoutes(router, auth);
            http = HttpServer.start(List.of(HttpServer.Listener.plain("127.0.0.1", 0)), router, HttpSettings.defaults(),
                    new SimpleMeterRegistry());
            base = "http://127.0.0.1:" + http.port(0);
        }

        String user(String localpart) {
            users.createAccount(localpart, Optional.empty(), false, false);
            return users.login(localpart, Optional.of("DEV" + localpart), Optional.empty(), false, "127.0.0.1", Optional.empty())
                    .accessToken();
        }

        JsonNode call(String method, String path, String token, Object body) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token);
            String text = body == null ? null : E2eeTestServer.JSON.writeValueAsString(body);
            request.method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
            HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new AssertionError(method + " " + path + " → " + r.statusCode() + " " + r.body());
            return E2eeTestServer.JSON.readTree(r.body());
        }

        /** Syncs (long-polling) until {@code check} holds; returns that response. */
        JsonNode syncUntil(String token, String since, Predicate<JsonNode> check) throws Exception {
            long deadline = System.currentTimeMillis() + 10_000;
            while (true) {
                JsonNode r = call("GET", "/_matrix/client/v3/sync?timeout=500&since="
                        + URLEncoder.encode(since, StandardCharsets.UTF_8), token, null);
                if (check.test(r) || System.currentTimeMillis() > deadline) return r;
            }
        }

        @Override
        public void close() {
            try {
                http.stop();
                sync.close();
            } finally {
                streams.close();
                syncDb.close();
                roomDb.close();
                userDb.close();
            }
        }
    }

    private static List<String> list(JsonNode sync, String field) {
        List<String> out = new ArrayList<>();
        sync.path("device_lists").path(field).forEach(n -> out.add(n.asString()));
        return out;
    }

    @DatabaseTest
    void joinsKeyChangesAndLeavesThroughTheRoomserverReachDeviceLists(DatabaseConfig config) throws Exception {
        try (Server s = new Server(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String bobId = "@bob:test.local";
            String room = s.call("POST", "/_matrix/client/v3/createRoom", alice, Map.of("preset", "public_chat"))
                    .path("room_id").asString();
            // why: a since token from before sync indexed alice's own join would make the room "newly joined" later,
            // announcing every member for that reason instead of for bob's join
            JsonNode start = s.call("GET", "/_matrix/client/v3/sync", alice, null);
            for (int i = 0; i < 100 && !start.path("rooms").path("join").has(room); i++) {
                Thread.sleep(50);
                start = s.call("GET", "/_matrix/client/v3/sync", alice, null);
            }
            assertThat(start.path("rooms").path("join").has(room)).isTrue();
            String since = start.path("next_batch").asString();

            s.call("POST", "/_matrix/client/v3/rooms/" + room + "/join", bob, Map.of());
            JsonNode joined = s.syncUntil(alice, since, r -> list(r, "changed").contains(bobId));
            assertThat(list(joined, "changed")).containsExactly(bobId);

            s.users.deleteDevice("bob", "DEVbob"); // announced through the key server's outbox
            JsonNode deleted = s.syncUntil(alice, joined.path("next_batch").asString(), r -> list(r, "changed").contains(bobId));
            assertThat(list(deleted, "changed")).containsExactly(bobId);

            String bob2 = s.users.login("bob", Optional.of("SECOND"), Optional.empty(), false, "127.0.0.1", Optional.empty())
                    .accessToken();
            s.call("POST", "/_matrix/client/v3/rooms/" + room + "/leave", bob2, Map.of());
            JsonNode left = s.syncUntil(alice, deleted.path("next_batch").asString(), r -> list(r, "left").contains(bobId));
            assertThat(list(left, "left")).containsExactly(bobId);
            assertThat(list(left, "changed")).isEmpty();
        }
    }
}
