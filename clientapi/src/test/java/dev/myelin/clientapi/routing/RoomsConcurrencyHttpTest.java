package dev.myelin.clientapi.routing;

import static dev.myelin.clientapi.routing.RoomTestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Dialect;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.roomserver.storage.EventsTable;
import dev.myelin.roomserver.storage.RoomsTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Many clients sending over HTTP at once, to one shared room and each to their own room: every acknowledged event
 * is stored exactly once, each room's events form one chain (one order), and the state stays consistent.
 */
class RoomsConcurrencyHttpTest {
    private static final String V3 = "/_matrix/client/v3";
    private static final int CLIENTS = 16;
    private static final int EACH = 25;

    @DatabaseTest
    void manyClientsToOneRoomAndToManyRooms(DatabaseConfig config, Dialect dialect) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String owner = s.register("owner");
            String shared = s.post(V3 + "/createRoom", owner, Map.of("preset", "public_chat")).text("room_id");
            List<String> tokens = new ArrayList<>();
            List<String> own = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                String t = s.register("client" + i);
                tokens.add(t);
                assertThat(s.post(V3 + "/join/" + enc(shared), t, Map.of()).status()).isEqualTo(200);
                own.add(s.post(V3 + "/createRoom", t, Map.of()).text("room_id"));
            }
            ConcurrentLinkedQueue<String> sharedIds = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> ownIds = new ConcurrentLinkedQueue<>();
            long start = System.nanoTime();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    int n = i;
                    futures.add(pool.submit(() -> {
                        for (int k = 0; k < EACH; k++) {
                            var a = s.put(V3 + "/rooms/" + enc(shared) + "/send/m.room.message/s" + k, tokens.get(n), Map.of("body", n + ":" + k));
                            assertThat(a.status()).isEqualTo(200);
                            sharedIds.add(a.text("event_id"));
                            var b = s.put(V3 + "/rooms/" + enc(own.get(n)) + "/send/m.room.message/o" + k, tokens.get(n), Map.of("body", "" + k));
                            assertThat(b.status()).isEqualTo(200);
                            ownIds.add(b.text("event_id"));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.err.printf("rooms concurrency (%s): %d messages over HTTP in %.2f s = %.0f msg/s (%d clients, shared + own rooms)%n",
                    dialect, CLIENTS * EACH * 2, seconds, CLIENTS * EACH * 2 / seconds, CLIENTS);

            assertThat(new HashSet<>(sharedIds)).hasSize(CLIENTS * EACH);
            assertThat(new HashSet<>(ownIds)).hasSize(CLIENTS * EACH);
            assertOneChain(s, shared, CLIENTS * EACH + CLIENTS);
            for (String room : own) assertOneChain(s, room, EACH);
            assertThat(s.get(V3 + "/rooms/" + enc(shared) + "/joined_members", owner).body().path("joined").size()).isEqualTo(CLIENTS + 1);
        }
    }

    /** The room's events are stored once each, each depth one more than the last, each pointing at the one before. */
    private static void assertOneChain(RoomTestServer s, String roomId, int atLeastMessages) {
        List<EventsTable.EventRow> events = s.roomDb.read(c -> EventsTable.inRoom(c, RoomsTable.byId(c, roomId).orElseThrow().roomNid()));
        assertThat(events.size()).isGreaterThanOrEqualTo(atLeastMessages);
        Set<String> ids = new HashSet<>();
        String previous = null;
        for (int i = 0; i < events.size(); i++) {
            EventsTable.EventRow e = events.get(i);
            assertThat(ids.add(e.eventId())).isTrue();
            assertThat(e.depth()).isEqualTo(i + 1);
            if (previous != null) assertThat(e.json()).contains("\"prev_events\":[\"" + previous + "\"]");
            previous = e.eventId();
        }
        long headDepth = s.roomDb.read(c -> RoomsTable.byId(c, roomId).orElseThrow().maxDepth());
        assertThat(headDepth).isEqualTo(events.size());
    }
}
