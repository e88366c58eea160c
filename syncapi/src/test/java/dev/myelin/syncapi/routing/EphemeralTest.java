package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.SyncTestServer.enc;
import static dev.myelin.syncapi.SyncTestServer.id;
import static dev.myelin.syncapi.routing.SyncRoomsTest.awaitParked;
import static dev.myelin.syncapi.routing.SyncRoomsTest.awaitWaiting;
import static dev.myelin.syncapi.routing.SyncRoomsTest.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.SyncTestServer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Typing, receipts, read markers, account data, presence and ignored users in /sync, each waking a long poll. */
class EphemeralTest {

    private static JsonNode ephemeral(JsonNode sync, String room, String type) {
        for (JsonNode e : sync.path("rooms").path("join").path(room).path("ephemeral").path("events")) {
            if (e.path("type").asString().equals(type)) return e;
        }
        return null;
    }

    private static String room(String roomId) {
        return "/_matrix/client/v3/rooms/" + enc(roomId);
    }

    @DatabaseTest
    void typingWakesALongPollAndExpires(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            String next = s.sync(bob, "").path("next_batch").asString();

            var poll = s.syncAsync(bob, "timeout=20000&since=" + next);
            awaitWaiting(s, 1);
            assertThat(s.call("PUT", room(room) + "/typing/" + enc(id("alice")), alice, Map.of("typing", true, "timeout", 400))
                    .status()).isEqualTo(200);
            JsonNode typing = poll.get(10, TimeUnit.SECONDS);
            assertThat(ephemeral(typing, room, "m.typing").path("content").path("user_ids").toString())
                    .isEqualTo("[\"" + id("alice") + "\"]");

            // the timeout passes: the poll wakes with nobody typing
            JsonNode expired = s.sync(bob, "timeout=10000&since=" + typing.path("next_batch").asString());
            assertThat(ephemeral(expired, room, "m.typing").path("content").path("user_ids").size()).isZero();

            assertThat(s.call("PUT", room(room) + "/typing/" + enc(id("bob")), alice, Map.of("typing", true)).status()).isEqualTo(403);
            assertThat(s.call("PUT", room(room) + "/typing/" + enc(id("alice")), alice, Map.of("typing", "yes")).errcode())
                    .isEqualTo("M_BAD_JSON");
            String stranger = s.user("carol");
            assertThat(s.call("PUT", room(room) + "/typing/" + enc(id("carol")), stranger, Map.of("typing", true)).status())
                    .isEqualTo(403);
        }
    }

    @DatabaseTest
    void receiptForAnEventNotYetIndexedWaitsForTheIndexer(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String bob = s.user("bob");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            s.rooms.holdIndexing();
            String late = s.rooms.message(room, id("alice"), "stored, not yet streamed to sync");
            var receipt = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return s.call("POST", room(room) + "/receipt/m.read/" + enc(late), bob, Map.of()).status();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(300);
            assertThat(receipt).as("waits while the event is not indexed").isNotDone();
            s.rooms.releaseIndexing();
            assertThat(receipt.get(10, TimeUnit.SECONDS)).isEqualTo(200);
            assertThat(s.call("POST", room(room) + "/receipt/m.read/" + enc("$nowhere"), bob, Map.of()).status()).isEqualTo(404);
        }
    }

    @DatabaseTest
    void receiptsAndReadMarkersReachSync(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            String m1 = s.rooms.message(room, id("alice"), "one");
            String m2 = s.rooms.message(room, id("alice"), "two");
            String next = s.sync(alice, "").path("next_batch").asString();

            var poll = s.syncAsync(alice, "timeout=20000&since=" + next);
            awaitWaiting(s, 1);
            assertThat(s.call("POST", room(room) + "/receipt/m.read/" + enc(m2), bob, Map.of()).status()).isEqualTo(200);
            JsonNode woken = poll.get(10, TimeUnit.SECONDS);
            JsonNode receipt = ephemeral(woken, room, "m.receipt");
            assertThat(receipt.path("content").path(m2).path("m.read").path(id("bob")).has("ts")).isTrue();

            // a receipt never moves backwards; a private one is seen only by its owner; a threaded one names its thread
            s.call("POST", room(room) + "/receipt/m.read/" + enc(m1), bob, Map.of());
            s.call("POST", room(room) + "/receipt/m.read.private/" + enc(m2), bob, Map.of());
            s.call("POST", room(room) + "/receipt/m.read/" + enc(m2), alice, Map.of("thread_id", "main"));
            JsonNode forAlice = ephemeral(s.sync(alice, ""), room, "m.receipt").path("content");
            assertThat(forAlice.has(m1)).isFalse();
            assertThat(forAlice.path(m2).has("m.read.private")).isFalse();
            assertThat(forAlice.path(m2).path("m.read").path(id("alice")).path("thread_id").asString()).isEqualTo("main");
            assertThat(ephemeral(s.sync(bob, ""), room, "m.receipt").path("content").path(m2).path("m.read.private")
                    .has(id("bob"))).isTrue();

            assertThat(s.call("POST", room(room) + "/receipt/m.read/%24unknown", bob, Map.of()).status()).isEqualTo(404);
            assertThat(s.call("POST", room(room) + "/receipt/m.bogus/" + enc(m2), bob, Map.of()).errcode()).isEqualTo("M_INVALID_PARAM");
            String carol = s.user("carol");
            assertThat(s.call("POST", room(room) + "/receipt/m.read/" + enc(m2), carol, Map.of()).status()).isEqualTo(403);

            String bobNext = s.sync(bob, "").path("next_batch").asString();
            assertThat(s.call("POST", room(room) + "/read_markers", bob, Map.of("m.fully_read", m1, "m.read", m2)).status())
                    .isEqualTo(200);
            JsonNode markers = s.sync(bob, "since=" + bobNext);
            JsonNode data = markers.path("rooms").path("join").path(room).path("account_data").path("events");
            assertThat(data.toString()).contains("m.fully_read", m1);
        }
    }

    @DatabaseTest
    void aPollThatSkippedItsReadWakesForTypingAReceiptAndAccountData(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            String m = s.rooms.message(room, id("alice"), "to read");
            String next = quietToken(s, bob, s.sync(bob, "").path("next_batch").asString());

            // the second poll of the same token parks without reading; each kind of change must wake both
            var first = s.syncAsync(bob, "timeout=20000&since=" + next);
            awaitParked(s.sync().notifier(), 1);
            var second = s.syncAsync(bob, "timeout=20000&since=" + next);
            awaitParked(s.sync().notifier(), 2);
            assertThat(s.call("PUT", room(room) + "/typing/" + enc(id("alice")), alice, Map.of("typing", true, "timeout", 20000))
                    .status()).isEqualTo(200);
            for (var poll : java.util.List.of(first, second)) {
                assertThat(ephemeral(poll.get(10, TimeUnit.SECONDS), room, "m.typing")).isNotNull();
            }
            next = quietToken(s, bob, second.get().path("next_batch").asString());

            first = s.syncAsync(bob, "timeout=20000&since=" + next);
            awaitParked(s.sync().notifier(), 1);
            second = s.syncAsync(bob, "timeout=20000&since=" + next);
            awaitParked(s.sync().notifier(), 2);
            assertThat(s.call("POST", room(room) + "/receipt/m.read/" + enc(m), alice, Map.of()).status()).isEqualTo(200);
            for (var poll : java.util.List.of(first, second)) {
                assertThat(ephemeral(poll.get(10, TimeUnit.SECONDS), room, "m.receipt")).isNotNull();
            }
            next = quietToken(s, bob, second.get().path("next_batch").asString());

            first = s.syncAsync(bob, "timeout=20000&since=" + next);
            awaitParked(s.sync().notifier(), 1);
            second = s.syncAsync(bob, "timeout=20000&since=" + next);
            awaitParked(s.sync().notifier(), 2);
            s.users.setAccountData("bob", Optional.empty(), "com.example.woken", json("{}"));
            for (var poll : java.util.List.of(first, second)) {
                assertThat(poll.get(10, TimeUnit.SECONDS).path("account_data").toString()).contains("com.example.woken");
            }
        }
    }

    /** Syncs on from {@code since} until nothing more arrives (counts updated after a change come a moment later). */
    private static String quietToken(SyncTestServer s, String token, String since) throws Exception {
        for (int i = 0; i < 20; i++) {
            JsonNode r = s.sync(token, "timeout=300&since=" + since);
            since = r.path("next_batch").asString();
            if (r.path("rooms").path("join").isEmpty() && r.path("account_data").path("events").isEmpty()) return since;
        }
        throw new AssertionError("sync never went quiet");
    }

    @DatabaseTest
    void accountDataArrivesIncrementallyAndWakesALongPoll(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            s.users.setAccountData("alice", Optional.empty(), "com.example.one", json("{\"n\":1}"));
            JsonNode initial = s.sync(alice, "");
            assertThat(initial.path("account_data").toString()).contains("com.example.one", "m.push_rules");
            String next = initial.path("next_batch").asString();

            var poll = s.syncAsync(alice, "timeout=20000&since=" + next);
            awaitWaiting(s, 1);
            s.users.setAccountData("alice", Optional.empty(), "com.example.two", json("{\"n\":2}"));
            JsonNode woken = poll.get(10, TimeUnit.SECONDS);
            assertThat(woken.path("account_data").path("events").toString()).contains("com.example.two")
                    .doesNotContain("com.example.one");

            s.users.setAccountData("alice", Optional.of(room), "m.tag", json("{\"tags\":{\"u.work\":{}}}"));
            JsonNode roomData = s.sync(alice, "since=" + woken.path("next_batch").asString());
            assertThat(roomData.path("rooms").path("join").path(room).path("account_data").toString()).contains("u.work");
            assertThat(roomData.path("rooms").path("join").path(room).path("timeline").path("events").size()).isZero();

            JsonNode filtered = s.sync(alice, "filter=" + enc("{\"account_data\":{\"not_types\":[\"m.push_rules\"]}}"));
            assertThat(filtered.path("account_data").toString()).contains("com.example.one").doesNotContain("m.push_rules");
        }
    }

    @DatabaseTest
    void presenceIsSetAndSeenBySharingUsers(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String carol = s.user("carol");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            String next = s.sync(alice, "set_presence=offline").path("next_batch").asString();
            String carolNext = s.sync(carol, "set_presence=offline").path("next_batch").asString();

            var poll = s.syncAsync(alice, "set_presence=offline&timeout=20000&since=" + next);
            awaitWaiting(s, 1);
            assertThat(s.call("PUT", "/_matrix/client/v3/presence/" + enc(id("bob")) + "/status", bob,
                    Map.of("presence", "unavailable", "status_msg", "lunch")).status()).isEqualTo(200);
            JsonNode woken = poll.get(10, TimeUnit.SECONDS);
            JsonNode event = woken.path("presence").path("events").get(0);
            assertThat(event.path("sender").asString()).isEqualTo(id("bob"));
            assertThat(event.path("content").path("presence").asString()).isEqualTo("unavailable");
            assertThat(event.path("content").path("status_msg").asString()).isEqualTo("lunch");

            JsonNode status = s.call("GET", "/_matrix/client/v3/presence/" + enc(id("bob")) + "/status", alice, null).body();
            assertThat(status.path("presence").asString()).isEqualTo("unavailable");
            assertThat(s.sync(carol, "set_presence=offline&since=" + carolNext).path("presence").path("events").size()).isZero();
            assertThat(s.call("PUT", "/_matrix/client/v3/presence/" + enc(id("bob")) + "/status", alice,
                    Map.of("presence", "online")).status()).isEqualTo(403);
            assertThat(s.call("PUT", "/_matrix/client/v3/presence/" + enc(id("alice")) + "/status", alice,
                    Map.of("presence", "asleep")).errcode()).isEqualTo("M_INVALID_PARAM");

            s.sync(carol, ""); // set_presence defaults to online
            assertThat(s.call("GET", "/_matrix/client/v3/presence/" + enc(id("carol")) + "/status", carol, null)
                    .body().path("presence").asString()).isEqualTo("online");
            // why: alice shares no room with carol, so carol's presence is not hers to see (spec: 403)
            assertThat(s.call("GET", "/_matrix/client/v3/presence/" + enc(id("carol")) + "/status", alice, null)
                    .errcode()).isEqualTo("M_FORBIDDEN");
        }
    }

    @DatabaseTest
    void presenceCanBeDisabled(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config, new dev.myelin.syncapi.internal.SyncComponent.Settings(false, false))) {
            String alice = s.user("alice");
            // why: as Synapse with presence disabled: updates are accepted and ignored, everyone reads as offline
            assertThat(s.call("PUT", "/_matrix/client/v3/presence/" + enc(id("alice")) + "/status", alice,
                    Map.of("presence", "online", "status_msg", "here")).status()).isEqualTo(200);
            assertThat(s.call("PUT", "/_matrix/client/v3/presence/" + enc(id("alice")) + "/status", alice,
                    Map.of("presence", "asleep")).errcode()).isEqualTo("M_INVALID_PARAM");
            JsonNode sync = s.sync(alice, "set_presence=unavailable");
            assertThat(sync.has("presence")).isFalse();
            assertThat(sync.path("next_batch").asString()).doesNotContain("_p");
            SyncTestServer.Response status = s.call("GET", "/_matrix/client/v3/presence/" + enc(id("alice")) + "/status", alice, null);
            assertThat(status.status()).isEqualTo(200);
            assertThat(status.body().toString()).isEqualTo("{\"presence\":\"offline\"}");
        }
    }

    @DatabaseTest
    void ignoredUsersAreHiddenFromTimelinesAndInvites(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            String fromBob = s.rooms.message(room, id("bob"), "spam");
            String fromAlice = s.rooms.message(room, id("alice"), "hello");
            s.users.setAccountData("alice", Optional.empty(), "m.ignored_user_list",
                    json("{\"ignored_users\":{\"" + id("bob") + "\":{}}}"));
            String other = s.rooms.createRoom(id("bob"));
            s.rooms.member(other, id("bob"), id("alice"), "invite");

            JsonNode r = s.sync(alice, "");
            assertThat(ids(r.path("rooms").path("join").path(room).path("timeline").path("events")))
                    .contains(fromAlice).doesNotContain(fromBob);
            assertThat(r.path("rooms").path("invite").has(other)).isFalse();
            JsonNode history = s.call("GET", room(room) + "/messages?dir=b&limit=50", alice, null).body();
            assertThat(ids(history.path("chunk"))).contains(fromAlice).doesNotContain(fromBob);
        }
    }

    private static ObjectNode json(String text) {
        return (ObjectNode) SyncTestServer.JSON.readTree(text);
    }
}
