package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.RoomsAndSyncServer.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.RoomsAndSyncServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Unread notification counts in /sync, end to end: the roomserver's events reach userapi's push rule evaluation,
 * the counts reach sync on OutputNotificationData, and receipts come back from sync to reset them.
 */
class UnreadNotificationsTest {

    private static final String THREADS_FILTER = enc("{\"room\":{\"timeline\":{\"unread_thread_notifications\":true}}}");

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private int txn;

    private String send(RoomsAndSyncServer s, String token, String room, Map<String, ?> content) throws Exception {
        return s.call("PUT", "/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/n" + (++txn), token, content)
                .path("event_id").asString();
    }

    private static void receipt(RoomsAndSyncServer s, String token, String room, String type, String eventId,
                                Map<String, ?> body) throws Exception {
        s.call("POST", "/_matrix/client/v3/rooms/" + enc(room) + "/receipt/" + type + "/" + enc(eventId), token, body);
    }

    private static JsonNode roomOf(JsonNode sync, String room) {
        return sync.path("rooms").path("join").path(room);
    }

    private static String counts(JsonNode room) {
        JsonNode u = room.path("unread_notifications");
        return u.path("notification_count").asLong(-1) + "/" + u.path("highlight_count").asLong(-1);
    }

    /**
     * Initial syncs until the room's counts read {@code expected} ("notifications/highlights"); the counts travel
     * two streams after the send returns, so they are eventually right, never at once.
     */
    private static JsonNode awaitCounts(RoomsAndSyncServer s, String token, String room, String query, String expected)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode sync;
        do {
            sync = s.sync(token, query);
            if (counts(roomOf(sync, room)).equals(expected)) return sync;
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("counts of " + room + " never became " + expected + ": " + roomOf(sync, room));
    }

    /** Alice's public room with Bob joined. */
    private record Pair(String alice, String bob, String room) {}

    private static Pair aliceAndBob(RoomsAndSyncServer s) throws Exception {
        String alice = s.user("alice");
        String bob = s.user("bob");
        String room = s.createRoom(alice, Map.of("preset", "public_chat"));
        s.join(bob, room);
        return new Pair(alice, bob, room);
    }

    @DatabaseTest
    void messagesFromOthersCountAndOwnDoNot(DatabaseConfig config) throws Exception {
        try (RoomsAndSyncServer s = new RoomsAndSyncServer(config)) {
            Pair p = aliceAndBob(s);
            String alice = p.alice();
            String bob = p.bob();
            String room = p.room();
            awaitCounts(s, bob, room, "", "0/0");

            s.send(alice, room, "hello bob");
            s.send(alice, room, "still there?");
            awaitCounts(s, bob, room, "", "2/0");
            // bob's own message counts for alice only; sending reads up to it, as a receipt would
            s.send(bob, room, "hello alice");
            awaitCounts(s, bob, room, "", "0/0");
            awaitCounts(s, alice, room, "", "1/0");
            s.send(alice, room, "hi again");
            awaitCounts(s, bob, room, "", "1/0");
        }
    }

    @DatabaseTest
    void mentionsHighlight(DatabaseConfig config) throws Exception {
        try (RoomsAndSyncServer s = new RoomsAndSyncServer(config)) {
            Pair p = aliceAndBob(s);
            String alice = p.alice();
            String bob = p.bob();
            String room = p.room();
            send(s, alice, room, Map.of("msgtype", "m.text", "body", "bob: look",
                    "m.mentions", Map.of("user_ids", List.of(id("bob")))));
            awaitCounts(s, bob, room, "", "1/1");

            // contains_display_name, in a rule of bob's own, against his display name in this room
            s.state(bob, room, "m.room.member", id("bob"), Map.of("membership", "join", "displayname", "Bobby Tables"));
            ObjectNode rule = RoomsAndSyncServer.JSON.createObjectNode();
            rule.putArray("conditions").addObject().put("kind", "contains_display_name");
            rule.putArray("actions").add("notify").addObject().put("set_tweak", "highlight");
            s.users.putPushRule("bob", "override", "name", rule, Optional.empty(), Optional.empty());
            // (bob's member event is an event he sent: it read the mention)
            s.send(alice, room, "is bobby tables here?");
            awaitCounts(s, bob, room, "", "1/1");
            s.send(alice, room, "bobby tablespoon is not a word boundary match");
            awaitCounts(s, bob, room, "", "2/1");
        }
    }

    @DatabaseTest
    void readReceiptsResetCountsAndThreadedReceiptsOnlyTheirThread(DatabaseConfig config) throws Exception {
        try (RoomsAndSyncServer s = new RoomsAndSyncServer(config)) {
            Pair p = aliceAndBob(s);
            String alice = p.alice();
            String bob = p.bob();
            String room = p.room();
            String root = s.send(alice, room, "thread root");
            String reply = send(s, alice, room, Map.of("msgtype", "m.text", "body", "in the thread",
                    "m.relates_to", Map.of("rel_type", "m.thread", "event_id", root)));
            String reply2 = send(s, alice, room, Map.of("msgtype", "m.text", "body", "again in the thread",
                    "m.relates_to", Map.of("rel_type", "m.thread", "event_id", root)));
            String main = s.send(alice, room, "main timeline");

            // without the filter flag every thread adds to the room's counts
            awaitCounts(s, bob, room, "", "4/0");
            JsonNode perThread = roomOf(s.sync(bob, "filter=" + THREADS_FILTER), room);
            assertThat(counts(perThread)).isEqualTo("2/0");
            assertThat(perThread.path("unread_thread_notifications").path(root).path("notification_count").asLong()).isEqualTo(2);

            // a threaded receipt reads only its thread, up to its event
            receipt(s, bob, room, "m.read", reply, Map.of("thread_id", root));
            awaitCounts(s, bob, room, "", "3/0");
            JsonNode afterThreaded = roomOf(s.sync(bob, "filter=" + THREADS_FILTER), room);
            assertThat(counts(afterThreaded)).as("the main timeline is untouched").isEqualTo("2/0");
            assertThat(afterThreaded.path("unread_thread_notifications").path(root).path("notification_count").asLong()).isEqualTo(1);

            // a receipt in the main timeline reads only main-timeline events
            receipt(s, bob, room, "m.read.private", main, Map.of("thread_id", "main"));
            awaitCounts(s, bob, room, "", "1/0");

            // an unthreaded receipt reads everything up to its event, in every thread
            receipt(s, bob, room, "m.read", reply2, Map.of());
            awaitCounts(s, bob, room, "", "0/0");
            JsonNode none = roomOf(s.sync(bob, "filter=" + THREADS_FILTER), room);
            assertThat(none.has("unread_thread_notifications")).as("no unread thread on an initial sync").isFalse();
        }
    }

    @DatabaseTest
    void notificationsArePagedNewestFirstAndFilteredByHighlight(DatabaseConfig config) throws Exception {
        try (RoomsAndSyncServer s = new RoomsAndSyncServer(config)) {
            Pair p = aliceAndBob(s);
            String alice = p.alice();
            String bob = p.bob();
            String room = p.room();
            String first = s.send(alice, room, "one");
            String mention = send(s, alice, room, Map.of("msgtype", "m.text", "body", "two",
                    "m.mentions", Map.of("user_ids", List.of(id("bob")))));
            String third = s.send(alice, room, "three");
            awaitCounts(s, bob, room, "", "3/1");
            receipt(s, bob, room, "m.read", first, Map.of());
            awaitCounts(s, bob, room, "", "2/1");

            JsonNode page = s.call("GET", "/_matrix/client/v3/notifications?limit=2", bob, null);
            JsonNode list = page.path("notifications");
            assertThat(list.size()).isEqualTo(2);
            assertThat(list.get(0).path("event").path("event_id").asString()).isEqualTo(third);
            assertThat(list.get(1).path("event").path("event_id").asString()).isEqualTo(mention);
            assertThat(list.get(1).path("actions").toString()).contains("highlight");
            assertThat(list.get(0).path("room_id").asString()).isEqualTo(room);
            assertThat(list.get(0).path("read").asBoolean()).isFalse();
            JsonNode rest = s.call("GET", "/_matrix/client/v3/notifications?limit=2&from="
                    + page.path("next_token").asString(), bob, null).path("notifications");
            assertThat(rest.size()).isEqualTo(1);
            assertThat(rest.get(0).path("event").path("event_id").asString()).isEqualTo(first);
            assertThat(rest.get(0).path("read").asBoolean()).isTrue();

            JsonNode highlights = s.call("GET", "/_matrix/client/v3/notifications?only=highlight", bob, null);
            assertThat(highlights.path("notifications").size()).isEqualTo(1);
            assertThat(highlights.has("next_token")).isFalse();
            assertThat(s.call("GET", "/_matrix/client/v3/notifications", alice, null).path("notifications").size()).isZero();
        }
    }

    @DatabaseTest
    void disabledRulesAndDontNotifyRoomRulesDoNotCount(DatabaseConfig config) throws Exception {
        try (RoomsAndSyncServer s = new RoomsAndSyncServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            // why carol: rules are read when an event is evaluated, after the send returns; carol's count (default
            // rules) tells when alice's last message has been evaluated, so bob's rules may change again
            String carol = s.user("carol");
            String room = s.createRoom(alice, Map.of("preset", "public_chat"));
            s.join(bob, room);
            s.join(carol, room);

            ObjectNode mute = RoomsAndSyncServer.JSON.createObjectNode();
            mute.putArray("actions").add("dont_notify");
            s.users.putPushRule("bob", "room", room, mute, Optional.empty(), Optional.empty());
            s.send(alice, room, "muted room");
            awaitCounts(s, carol, room, "", "1/0");
            s.users.deletePushRule("bob", "room", room);

            s.users.setPushRuleEnabled("bob", "underride", ".m.rule.message", false);
            s.send(alice, room, "no rule matches");
            awaitCounts(s, carol, room, "", "2/0");
            s.users.setPushRuleEnabled("bob", "underride", ".m.rule.message", true);
            s.send(alice, room, "counts");
            awaitCounts(s, bob, room, "", "1/0");

            // the master rule silences everything, mentions included
            s.users.setPushRuleEnabled("bob", "override", ".m.rule.master", true);
            send(s, alice, room, Map.of("msgtype", "m.text", "body", "hey", "m.mentions", Map.of("user_ids", List.of(id("bob")))));
            awaitCounts(s, carol, room, "", "4/0");
            s.users.setPushRuleEnabled("bob", "override", ".m.rule.master", false);
            s.send(alice, room, "counts again");
            awaitCounts(s, bob, room, "", "2/0");
        }
    }

    @DatabaseTest
    void aReceiptWakesALongPollWithCountsAtZero(DatabaseConfig config) throws Exception {
        try (RoomsAndSyncServer s = new RoomsAndSyncServer(config)) {
            Pair p = aliceAndBob(s);
            String alice = p.alice();
            String bob = p.bob();
            String room = p.room();
            String message = s.send(alice, room, "read me");
            String next = awaitCounts(s, bob, room, "", "1/0").path("next_batch").asString();

            // the count of a new message wakes a poll too
            var poll = s.syncAsync(bob, "timeout=20000&since=" + next);
            String second = s.send(alice, room, "and me");
            long started = System.nanoTime();
            JsonNode woken = poll.get(10, TimeUnit.SECONDS);
            while (!counts(roomOf(woken, room)).equals("2/0")) {
                woken = s.sync(bob, "timeout=20000&since=" + woken.path("next_batch").asString());
            }

            receipt(s, bob, room, "m.read", second, Map.of());
            JsonNode reset = woken;
            do {
                reset = s.sync(bob, "timeout=20000&since=" + reset.path("next_batch").asString());
            } while (!counts(roomOf(reset, room)).equals("0/0"));
            assertThat(System.nanoTime() - started).as("woken, not timed out").isLessThan(TimeUnit.SECONDS.toNanos(15));
            assertThat(message).isNotEqualTo(second);

            // an idle incremental sync after that carries no counts for the room
            JsonNode quiet = s.sync(bob, "since=" + reset.path("next_batch").asString());
            assertThat(quiet.path("rooms").path("join").has(room)).isFalse();
        }
    }
}
