package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.SyncTestServer.enc;
import static dev.myelin.syncapi.SyncTestServer.id;
import static dev.myelin.syncapi.routing.SyncRoomsTest.awaitWaiting;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.MovableClock;
import dev.myelin.syncapi.SyncTestServer;
import dev.myelin.syncapi.internal.Presence;
import dev.myelin.syncapi.internal.SyncComponent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Presence changing by itself (offline when a user stops syncing, unavailable when idle) and its interplay with
 * {@code set_presence} and {@code PUT /presence}, over HTTP with a clock the test moves (no long sleeps).
 */
class PresenceTimeoutsTest {

    // why: Synapse's timeouts, swept every 20 ms of real time so a moved clock is noticed at once
    private static final SyncComponent.Settings FAST_SWEEP = new SyncComponent.Settings(true, false,
            new Presence.Timeouts(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMillis(20)));

    private static String status(String userId) {
        return "/_matrix/client/v3/presence/" + enc(userId) + "/status";
    }

    /** The content of the last presence event about {@code userId} in a sync response, or null. */
    private static JsonNode presenceOf(JsonNode sync, String userId) {
        JsonNode found = null;
        for (JsonNode e : sync.path("presence").path("events")) {
            if (e.path("sender").asString().equals(userId)) found = e.path("content");
        }
        return found;
    }

    /** Polls as {@code token} (not affecting its own presence) until {@code userId}'s presence is {@code state}. */
    private static JsonNode awaitPresence(SyncTestServer s, String token, String since, String userId, String state)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            JsonNode r = s.sync(token, "set_presence=offline&timeout=5000&since=" + since);
            JsonNode content = presenceOf(r, userId);
            if (content != null && content.path("presence").asString().equals(state)) return r;
            since = r.path("next_batch").asString();
        }
        throw new AssertionError(userId + " never became " + state);
    }

    @DatabaseTest
    void aUserWhoStopsSyncingGoesOfflineKeepingTheStatusMessage(DatabaseConfig config) throws Exception {
        MovableClock clock = new MovableClock();
        try (SyncTestServer s = new SyncTestServer(config, FAST_SWEEP, clock)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            s.sync(bob, "");
            assertThat(s.call("PUT", status(id("bob")), bob, Map.of("presence", "online", "status_msg", "lunch")).status())
                    .isEqualTo(200);
            String next = s.sync(alice, "set_presence=offline").path("next_batch").asString();

            // a moment later bob is still online: 29 s without a sync is within the timeout
            clock.advance(Duration.ofSeconds(29));
            Thread.sleep(100);
            assertThat(s.call("GET", status(id("bob")), alice, null).body().path("presence").asString()).isEqualTo("online");

            CompletableFuture<JsonNode> poll = s.syncAsync(alice, "set_presence=offline&timeout=10000&since=" + next);
            awaitWaiting(s, 1);
            clock.advance(Duration.ofSeconds(2));
            JsonNode woken = poll.get(10, TimeUnit.SECONDS);
            JsonNode content = presenceOf(woken, id("bob"));
            assertThat(content).as("the long poll is woken by bob going offline").isNotNull();
            assertThat(content.path("presence").asString()).isEqualTo("offline");
            assertThat(content.path("status_msg").asString()).isEqualTo("lunch");
            assertThat(content.path("last_active_ago").asLong()).isEqualTo(31_000);
            assertThat(content.has("currently_active")).isFalse();
            // an initial sync leaves offline users out (offline is what a client assumes without presence)
            assertThat(presenceOf(s.sync(alice, "set_presence=offline"), id("bob"))).isNull();

            // syncing again brings bob back online, with his message
            s.sync(bob, "");
            JsonNode back = s.call("GET", status(id("bob")), alice, null).body();
            assertThat(back.path("presence").asString()).isEqualTo("online");
            assertThat(back.path("currently_active").asBoolean()).isTrue();
            assertThat(back.path("last_active_ago").asLong()).isZero();
            assertThat(back.path("status_msg").asString()).isEqualTo("lunch");
        }
    }

    @DatabaseTest
    void aSyncInFlightKeepsTheUserOnlineUntilIdleThenActivityBringsThemBack(DatabaseConfig config) throws Exception {
        MovableClock clock = new MovableClock();
        try (SyncTestServer s = new SyncTestServer(config, FAST_SWEEP, clock)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            String event = s.rooms.message(room, id("alice"), "hello");
            String bobNext = s.sync(bob, "").path("next_batch").asString();
            String next = s.sync(alice, "set_presence=offline").path("next_batch").asString();

            // bob's long poll is in flight while the clock passes the offline timeout: he stays online
            CompletableFuture<JsonNode> bobPoll = s.syncAsync(bob, "timeout=20000&since=" + bobNext);
            awaitWaiting(s, 1);
            clock.advance(Duration.ofSeconds(45));
            Thread.sleep(200);
            assertThat(s.call("GET", status(id("bob")), alice, null).body().path("presence").asString()).isEqualTo("online");

            // past the idle timer without activity he becomes unavailable (his own poll is woken by it too)
            clock.advance(Duration.ofMinutes(5));
            JsonNode idle = presenceOf(awaitPresence(s, alice, next, id("bob"), "unavailable"), id("bob"));
            assertThat(idle.path("last_active_ago").asLong()).isGreaterThanOrEqualTo(Duration.ofMinutes(5).toMillis());
            assertThat(idle.has("currently_active")).isFalse();
            bobPoll.get(10, TimeUnit.SECONDS);
            String after = s.sync(alice, "set_presence=offline&since=" + next).path("next_batch").asString();

            // a read receipt is a pro-active event: online again, currently active
            assertThat(s.call("POST", "/_matrix/client/v3/rooms/" + enc(room) + "/receipt/m.read/" + enc(event), bob,
                    Map.of()).status()).isEqualTo(200);
            JsonNode active = presenceOf(awaitPresence(s, alice, after, id("bob"), "online"), id("bob"));
            assertThat(active.path("currently_active").asBoolean()).isTrue();
            assertThat(active.path("last_active_ago").asLong()).isZero();
        }
    }

    @DatabaseTest
    void setPresenceOnSyncAndPutWorkTogether(DatabaseConfig config) throws Exception {
        MovableClock clock = new MovableClock();
        try (SyncTestServer s = new SyncTestServer(config, FAST_SWEEP, clock)) {
            String bob = s.user("bob");
            s.sync(bob, "set_presence=unavailable");
            assertThat(s.call("GET", status(id("bob")), bob, null).body().path("presence").asString()).isEqualTo("unavailable");
            // a poll with the default (online) does not undo unavailable; it only brings an offline user online
            s.sync(bob, "");
            assertThat(s.call("GET", status(id("bob")), bob, null).body().path("presence").asString()).isEqualTo("unavailable");
            s.call("PUT", status(id("bob")), bob, Map.of("presence", "online"));
            assertThat(s.call("GET", status(id("bob")), bob, null).body().path("presence").asString()).isEqualTo("online");
            s.call("PUT", status(id("bob")), bob, Map.of("presence", "offline", "status_msg", "away"));
            s.sync(bob, "set_presence=offline");
            JsonNode off = s.call("GET", status(id("bob")), bob, null).body();
            assertThat(off.path("presence").asString()).isEqualTo("offline");
            assertThat(off.path("status_msg").asString()).isEqualTo("away");
            s.sync(bob, "");
            assertThat(s.call("GET", status(id("bob")), bob, null).body().path("presence").asString()).isEqualTo("online");
            // an empty message clears it
            s.call("PUT", status(id("bob")), bob, Map.of("presence", "online", "status_msg", ""));
            assertThat(s.call("GET", status(id("bob")), bob, null).body().has("status_msg")).isFalse();
            // a sync with set_presence=offline does not count as syncing: bob times out
            s.sync(bob, "set_presence=offline");
            clock.advance(Duration.ofSeconds(31));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            String state = "";
            while (System.nanoTime() < deadline && !state.equals("offline")) {
                Thread.sleep(20);
                state = s.call("GET", status(id("bob")), bob, null).body().path("presence").asString();
            }
            assertThat(state).isEqualTo("offline");
        }
    }

    @DatabaseTest
    void joiningARoomBringsThePresenceOfItsMembers(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.rooms.createRoom(id("bob"));
            s.call("PUT", status(id("bob")), bob, Map.of("presence", "unavailable", "status_msg", "busy"));
            String next = s.sync(alice, "set_presence=offline").path("next_batch").asString();
            assertThat(presenceOf(s.sync(alice, "set_presence=offline"), id("bob"))).isNull();

            s.rooms.join(room, id("alice"));
            JsonNode content = presenceOf(s.sync(alice, "set_presence=offline&since=" + next), id("bob"));
            assertThat(content).as("bob's presence, unchanged since alice's token, comes with the join").isNotNull();
            assertThat(content.path("presence").asString()).isEqualTo("unavailable");
            assertThat(content.path("status_msg").asString()).isEqualTo("busy");
        }
    }
}
