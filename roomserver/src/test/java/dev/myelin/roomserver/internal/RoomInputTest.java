package dev.myelin.roomserver.internal;

import static dev.myelin.roomserver.internal.Rooms.ALICE;
import static dev.myelin.roomserver.internal.Rooms.BOB;
import static dev.myelin.roomserver.internal.Rooms.CAROL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import dev.myelin.roomserver.storage.EventsTable;
import dev.myelin.roomserver.storage.RoomsTable;
import dev.myelin.roomserver.storage.StateTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import tools.jackson.databind.node.ObjectNode;

@DatabaseComponent("roomserver")
class RoomInputTest {

    @DatabaseTest
    void createsRoomsOfEveryVersionAndSendsToThem(Database db) {
        try (Rooms r = new Rooms(db)) {
            for (RoomVersion v : RoomVersions.all()) {
                String roomId = r.createRoom(ALICE, Map.of("room_version", v.id(), "name", "room " + v.id(), "topic", "t",
                        "invite", List.of(BOB.userId()), "preset", "private_chat"));
                String eventId = r.message(ALICE, roomId, "hello " + v.id());
                ObjectNode event = r.rs.event(ALICE.userId(), roomId, eventId);
                assertThat(event.path("content").path("body").asString()).isEqualTo("hello " + v.id());
                assertThat(event.path("room_id").asString()).isEqualTo(roomId);
                assertThat(r.rs.stateContent(ALICE.userId(), roomId, "m.room.name", "").path("name").asString()).isEqualTo("room " + v.id());
                assertThat(r.rs.stateContent(ALICE.userId(), roomId, "m.room.create", "").path("room_version").asString()).isEqualTo(v.id());
                assertThat(r.rs.stateContent(ALICE.userId(), roomId, "m.room.member", BOB.userId()).path("membership").asString())
                        .isEqualTo("invite");
                r.rs.join(BOB, roomId, Optional.empty());
                assertThat(r.rs.joinedMembers(BOB.userId(), roomId)).containsOnlyKeys(ALICE.userId(), BOB.userId());
                if (v.roomIdFromCreateEvent()) assertThat(roomId).doesNotContain(":");
                else assertThat(roomId).endsWith(":test.local");
            }
            assertThat(r.rs.joinedRooms(BOB.userId())).hasSize(RoomVersions.all().size());
        }
    }

    @DatabaseTest
    void identicalCreateRequestsAtOnceMakeDistinctRooms(Database db) throws Exception {
        try (Rooms r = new Rooms(db); var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            // why: from v12 the room ID is the create event's hash; identical requests in one millisecond must not clash
            var futures = new java.util.ArrayList<java.util.concurrent.Future<String>>();
            for (int i = 0; i < 16; i++) {
                futures.add(threads.submit(() -> r.createRoom(ALICE, Map.of("room_version", "12", "preset", "public_chat"))));
            }
            var ids = new java.util.HashSet<String>();
            for (var f : futures) ids.add(f.get());
            assertThat(ids).hasSize(16);
            assertThat(r.rs.joinedRooms(ALICE.userId())).containsAll(ids);
        }
    }

    @DatabaseTest
    void refusedEventChangesNothing(Database db) throws Exception {
        try (Rooms r = new Rooms(db)) {
            String roomId = r.createRoom(ALICE, Map.of());
            long before = db.read(c -> EventsTable.inRoom(c, RoomsTable.byId(c, roomId).orElseThrow().roomNid()).size());
            assertThatThrownBy(() -> r.message(BOB, roomId, "not a member"))
                    .isInstanceOfSatisfying(MatrixException.class, e -> assertThat(e.errcode()).isEqualTo("M_FORBIDDEN"));
            assertThatThrownBy(() -> r.rs.send(ALICE, roomId, "m.room.message", null,
                    Rooms.obj(Map.of("body", "x".repeat(70_000))), Optional.empty()))
                    .isInstanceOfSatisfying(MatrixException.class, e -> assertThat(e.errcode()).isEqualTo("M_TOO_LARGE"));
            long after = db.read(c -> EventsTable.inRoom(c, RoomsTable.byId(c, roomId).orElseThrow().roomNid()).size());
            assertThat(after).isEqualTo(before);
            r.message(ALICE, roomId, "still works");
        }
    }

    @DatabaseTest
    void twoWritersOverOneDatabaseNeverFork(Database db) throws Exception {
        try (Rooms one = new Rooms(db); Rooms two = new Rooms(db)) {
            String roomId = one.createRoom(ALICE, Map.of());
            for (int i = 0; i < 5; i++) {
                // each roomserver's cached head is stale after the other wrote: it must notice and rebuild
                one.message(ALICE, roomId, "one " + i);
                two.message(ALICE, roomId, "two " + i);
            }
            List<EventsTable.EventRow> events = db.read(c -> EventsTable.inRoom(c, RoomsTable.byId(c, roomId).orElseThrow().roomNid()));
            for (int i = 0; i < events.size(); i++) assertThat(events.get(i).depth()).isEqualTo(i + 1);
            List<Long> latest = db.read(c -> RoomsTable.byId(c, roomId).orElseThrow().latestEventNids());
            assertThat(latest).hasSize(1);
        }
    }

    @DatabaseTest
    void authRulesSeeRedactedStateInItsRedactedForm(Database db) {
        try (Rooms r = new Rooms(db)) {
            // room version 10: redacting power levels drops 'invite' (kept only from v11), so inviting falls back to 0
            String roomId = r.createRoom(ALICE, Map.of("room_version", "10", "preset", "public_chat",
                    "power_level_content_override", Map.of("invite", 100)));
            r.rs.join(BOB, roomId, Optional.empty());
            assertThatThrownBy(() -> r.rs.setMembership(BOB, roomId, "@carol:test.local", "invite", Optional.empty()))
                    .isInstanceOf(MatrixException.class);
            String power = r.rs.stateEvent(ALICE.userId(), roomId, "m.room.power_levels", "").path("event_id").asString();
            r.rs.redact(ALICE, roomId, power, Optional.empty(), Optional.empty());
            r.rs.setMembership(BOB, roomId, "@carol:test.local", "invite", Optional.empty());
            assertThat(r.rs.stateContent(ALICE.userId(), roomId, "m.room.member", "@carol:test.local").path("membership").asString())
                    .isEqualTo("invite");
        }
    }

    @DatabaseTest
    void answersOtherComponentsAboutStateAndVisibility(Database db) {
        try (Rooms r = new Rooms(db)) {
            String roomId = r.createRoom(ALICE, Map.of("preset", "public_chat", "name", "n"));
            r.rs.send(ALICE, roomId, "m.room.history_visibility", "", Rooms.obj(Map.of("history_visibility", "joined")), Optional.empty());
            String before = r.message(ALICE, roomId, "before bob");
            r.rs.join(BOB, roomId, Optional.empty());
            String after = r.message(ALICE, roomId, "after bob");
            assertThat(r.rs.visibleTo(BOB.userId(), List.of(before, after, "$unknown"))).containsExactly(after);
            assertThat(r.rs.visibleTo(ALICE.userId(), List.of(before, after))).containsExactly(before, after);
            assertThat(r.rs.currentState(roomId)).extracting(e -> e.pdu().type()).contains("m.room.create", "m.room.name");
            assertThat(r.rs.currentState(roomId)).anyMatch(e -> e.pdu().isState("m.room.member", BOB.userId()));
            assertThat(r.rs.stateBefore(after)).anyMatch(e -> e.pdu().isState("m.room.member", BOB.userId()));
            assertThat(r.rs.stateBefore(before)).noneMatch(e -> e.pdu().isState("m.room.member", BOB.userId()));
        }
    }

    @DatabaseTest
    void sameTransactionIdGivesSameEvent(Database db) {
        try (Rooms r = new Rooms(db)) {
            String roomId = r.createRoom(ALICE, Map.of());
            ObjectNode content = Rooms.obj(Map.of("body", "once"));
            String first = r.rs.send(ALICE, roomId, "m.room.message", null, content, Optional.of("t1"));
            String again = r.rs.send(ALICE, roomId, "m.room.message", null, content, Optional.of("t1"));
            String otherDevice = r.rs.send(new dev.myelin.roomserver.api.Sender(ALICE.userId(), "OTHER"), roomId,
                    "m.room.message", null, content, Optional.of("t1"));
            assertThat(again).isEqualTo(first);
            assertThat(otherDevice).isNotEqualTo(first);
        }
    }

    @DatabaseTest
    void stateSnapshotsAreDeduplicatedDeltas(Database db) throws Exception {
        try (Rooms r = new Rooms(db)) {
            String roomId = r.createRoom(ALICE, Map.of());
            long[] start = db.read(StateTable::counts);
            for (int i = 0; i < 3; i++) r.message(ALICE, roomId, "m" + i);
            // messages add no state: no new snapshot, no new block
            assertThat(db.read(StateTable::counts)).isEqualTo(start);
            for (int i = 0; i < 100; i++) {
                r.rs.send(ALICE, roomId, "m.room.topic", "", Rooms.obj(Map.of("topic", "t" + i)), Optional.empty());
            }
            long[] end = db.read(StateTable::counts);
            assertThat(end[0] - start[0]).isEqualTo(100);
            // one delta block per state event, plus a full block every MAX_BLOCKS
            assertThat(end[1] - start[1]).isLessThanOrEqualTo(100 + 100 / (RoomInput.MAX_BLOCKS - 1) + 1);
            assertThat(r.rs.stateContent(ALICE.userId(), roomId, "m.room.topic", "").path("topic").asString()).isEqualTo("t99");
            // a fresh roomserver (no caches) reads the same state back from storage
            Rooms fresh = new Rooms(db);
            assertThat(fresh.rs.state(ALICE.userId(), roomId)).isEqualTo(r.rs.state(ALICE.userId(), roomId));
            fresh.close();
        }
    }

    @DatabaseTest
    void concurrentSendersGetOneOrderAndEveryEventOnce(Database db) throws Exception {
        try (Rooms r = new Rooms(db)) {
            String shared = r.createRoom(ALICE, Map.of("preset", "public_chat"));
            List<String> own = new ArrayList<>();
            int clients = 8;
            int each = 15;
            List<dev.myelin.roomserver.api.Sender> senders = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                var s = new dev.myelin.roomserver.api.Sender("@u" + i + ":test.local", "D" + i);
                senders.add(s);
                r.rs.join(s, shared, Optional.empty());
                own.add(r.createRoom(s, Map.of()));
            }
            ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    int n = i;
                    futures.add(pool.submit(() -> {
                        for (int k = 0; k < each; k++) {
                            accepted.add(r.message(senders.get(n), shared, "s" + n + "-" + k));
                            accepted.add(r.message(senders.get(n), own.get(n), "o" + k));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) f.get();
            }
            assertThat(new HashSet<>(accepted)).hasSize(clients * each * 2);
            assertOneChain(db, shared);
            assertThat(r.rs.joinedMembers(ALICE.userId(), shared)).hasSize(clients + 1);
        }
    }

    @DatabaseTest
    void sendsQueuedForOneRoomAreStoredTogetherAndARefusedOneTouchesNoOther(Database db) throws Exception {
        try (Rooms r = new Rooms(db); var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            String roomId = r.createRoom(ALICE, Map.of("preset", "public_chat"));
            r.rs.join(BOB, roomId, Optional.empty());
            long before = db.read(c -> EventsTable.inRoom(c, RoomsTable.byId(c, roomId).orElseThrow().roomNid()).size());
            RoomInput input = r.rs.input();
            Future<String> first;
            List<Future<String>> queued = new ArrayList<>();
            // why: while the test holds the room's lane, the first send waits in it and the others queue behind it,
            // so they are built and stored as one batch once the lane is free
            try (RoomLanes.Held ignored = input.lanes().enter(roomId)) {
                first = threads.submit(() -> r.message(ALICE, roomId, "first"));
                while (!input.lanes().hasWaiters(roomId)) Thread.sleep(5);
                queued.add(threads.submit(() -> r.message(BOB, roomId, "from bob")));
                queued.add(threads.submit(() -> r.message(CAROL, roomId, "carol is not a member")));
                queued.add(threads.submit(() -> r.rs.send(ALICE, roomId, "m.room.message", null,
                        Rooms.obj(Map.of("body", "x".repeat(70_000))), Optional.empty())));
                queued.add(threads.submit(() -> r.rs.send(ALICE, roomId, "m.room.message", null,
                        Rooms.obj(Map.of("body", "with txn")), Optional.of("t1"))));
                queued.add(threads.submit(() -> r.rs.send(ALICE, roomId, "m.room.message", null,
                        Rooms.obj(Map.of("body", "with txn")), Optional.of("t1"))));
                queued.add(threads.submit(() -> r.message(BOB, roomId, "bob again")));
                while (input.queuedSends(roomId) < queued.size()) Thread.sleep(5);
            }
            assertThat(first.get()).startsWith("$");
            assertThat(queued.get(0).get()).startsWith("$");
            assertThatThrownBy(() -> queued.get(1).get()).cause()
                    .isInstanceOfSatisfying(MatrixException.class, e -> assertThat(e.errcode()).isEqualTo("M_FORBIDDEN"));
            assertThatThrownBy(() -> queued.get(2).get()).cause()
                    .isInstanceOfSatisfying(MatrixException.class, e -> assertThat(e.errcode()).isEqualTo("M_TOO_LARGE"));
            assertThat(queued.get(4).get()).as("same transaction ID, same event").isEqualTo(queued.get(3).get());
            assertThat(queued.get(5).get()).startsWith("$");
            long after = db.read(c -> EventsTable.inRoom(c, RoomsTable.byId(c, roomId).orElseThrow().roomNid()).size());
            assertThat(after - before).as("first, bob, the txn send once, bob again").isEqualTo(4);
            assertOneChain(db, roomId);
            assertThat(r.rs.event(BOB.userId(), roomId, queued.get(5).get()).path("content").path("body").asString())
                    .isEqualTo("bob again");
        }
    }

    @DatabaseTest
    void aTransactionIdKnownOnlyToTheDatabaseAnswersWithTheEarlierEventAloneAndInABatch(Database db) throws Exception {
        String roomId;
        String earlier;
        try (Rooms first = new Rooms(db)) {
            roomId = first.createRoom(ALICE, Map.of("preset", "public_chat"));
            first.rs.join(BOB, roomId, Optional.empty());
            earlier = first.rs.send(ALICE, roomId, "m.room.message", null, Rooms.obj(Map.of("body", "once")), Optional.of("t1"));
        }
        // why: a new roomserver (a restart) has not the transaction ID in memory, only in its database
        try (Rooms r = new Rooms(db); var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            long before = db.read(c -> EventsTable.inRoom(c, RoomsTable.byId(c, roomId).orElseThrow().roomNid()).size());
            assertThat(r.rs.send(ALICE, roomId, "m.room.message", null, Rooms.obj(Map.of("body", "once")), Optional.of("t1")))
                    .isEqualTo(earlier);
            try (Rooms again = new Rooms(db)) {
                RoomInput input = again.rs.input();
                Future<String> held;
                List<Future<String>> queued = new ArrayList<>();
                try (RoomLanes.Held ignored = input.lanes().enter(roomId)) {
                    held = threads.submit(() -> again.message(BOB, roomId, "held"));
                    while (!input.lanes().hasWaiters(roomId)) Thread.sleep(5);
                    queued.add(threads.submit(() -> again.message(BOB, roomId, "before")));
                    queued.add(threads.submit(() -> again.rs.send(ALICE, roomId, "m.room.message", null,
                            Rooms.obj(Map.of("body", "once")), Optional.of("t1"))));
                    queued.add(threads.submit(() -> again.message(BOB, roomId, "after")));
                    while (input.queuedSends(roomId) < queued.size()) Thread.sleep(5);
                }
                assertThat(held.get()).startsWith("$");
                assertThat(queued.get(1).get()).as("the batch's repeated transaction ID").isEqualTo(earlier);
                assertThat(queued.get(0).get()).startsWith("$");
                assertThat(queued.get(2).get()).startsWith("$");
            }
            long after = db.read(c -> EventsTable.inRoom(c, RoomsTable.byId(c, roomId).orElseThrow().roomNid()).size());
            assertThat(after - before).as("held, before, after; never the repeat").isEqualTo(3);
            assertOneChain(db, roomId);
        }
    }

    /** The room's events form one chain: each one's only prev event is the one stored before it, depth grows by one. */
    private static void assertOneChain(Database db, String roomId) {
        List<EventsTable.EventRow> events = db.read(c -> EventsTable.inRoom(c, RoomsTable.byId(c, roomId).orElseThrow().roomNid()));
        Set<String> ids = new HashSet<>();
        long depth = 0;
        String prev = null;
        for (EventsTable.EventRow e : events) {
            assertThat(ids.add(e.eventId())).isTrue();
            assertThat(e.depth()).isEqualTo(depth + 1);
            depth = e.depth();
            if (prev != null) assertThat(e.json()).contains(prev);
            prev = e.eventId();
        }
        long roomDepth = db.read(c -> RoomsTable.byId(c, roomId).orElseThrow().maxDepth());
        assertThat(roomDepth).isEqualTo(depth);
    }
}
