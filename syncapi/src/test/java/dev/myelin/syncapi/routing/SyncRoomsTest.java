package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.SyncTestServer.enc;
import static dev.myelin.syncapi.SyncTestServer.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.SyncTestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** /sync over HTTP: joined, invited and left rooms, initial and incremental, gappy and not. */
class SyncRoomsTest {

    static List<String> ids(JsonNode events) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : events) out.add(e.path("event_id").asString());
        return out;
    }

    static List<String> types(JsonNode events) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : events) out.add(e.path("type").asString() + (e.has("state_key") ? "/" + e.path("state_key").asString() : ""));
        return out;
    }

    static String filter(String json) {
        return "filter=" + enc(json);
    }

    @DatabaseTest
    void initialSyncGivesTimelineAndTheStateBeforeIt(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.state(room, id("alice"), "m.room.name", "", Map.of("name", "Lounge"));
            List<String> messages = new ArrayList<>();
            for (int i = 0; i < 5; i++) messages.add(s.rooms.message(room, id("alice"), "m" + i));

            JsonNode all = s.sync(alice, "").path("rooms").path("join").path(room);
            assertThat(types(all.path("timeline").path("events"))).hasSize(8);
            assertThat(all.path("timeline").path("limited").asBoolean()).isFalse();
            assertThat(all.path("state").path("events").size()).isZero();

            JsonNode limited = s.sync(alice, filter("{\"room\":{\"timeline\":{\"limit\":2}}}")).path("rooms").path("join").path(room);
            assertThat(ids(limited.path("timeline").path("events"))).containsExactly(messages.get(3), messages.get(4));
            assertThat(limited.path("timeline").path("limited").asBoolean()).isTrue();
            assertThat(types(limited.path("state").path("events")))
                    .containsExactlyInAnyOrder("m.room.create/", "m.room.member/" + id("alice"), "m.room.name/");
            assertThat(limited.path("timeline").path("prev_batch").asString()).isNotEmpty();
            assertThat(limited.path("summary").path("m.joined_member_count").asInt()).isEqualTo(1);
        }
    }

    @DatabaseTest
    void initialSyncOfManyRoomsReadsEachRoomOnItsOwn(DatabaseConfig config) throws Exception {
        // why: from RoomReads.BATCH_FROM rooms on, each kind of index read is made for all rooms in one query
        try (SyncTestServer s = new SyncTestServer(config)) {
            s.user("alice");
            String bob = s.user("bob");
            List<String> rooms = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String room = s.rooms.createRoom(id("alice"));
                rooms.add(room);
                if (i % 2 == 0) s.rooms.state(room, id("alice"), "m.room.name", "", Map.of("name", "room " + i));
                if (i == 3) s.rooms.state(room, id("alice"), "m.room.history_visibility", "", Map.of("history_visibility", "joined"));
                s.rooms.message(room, id("alice"), "before bob " + i);
                for (int m = 0; m < i; m++) s.rooms.join(room, id("member" + m));
                s.rooms.join(room, id("bob"));
                s.rooms.message(room, id("alice"), "after bob " + i);
            }
            String lazy = filter("{\"room\":{\"timeline\":{\"limit\":3},\"state\":{\"lazy_load_members\":true}}}");
            String m = s.rooms.message(rooms.get(5), id("bob"), "read me");
            assertThat(s.call("POST", "/_matrix/client/v3/rooms/" + enc(rooms.get(5)) + "/receipt/m.read/" + enc(m), bob,
                    Map.of()).status()).isEqualTo(200);

            JsonNode join = s.sync(bob, lazy).path("rooms").path("join");
            assertThat(join.size()).isEqualTo(10);
            for (int i = 0; i < 10; i++) {
                JsonNode room = join.path(rooms.get(i));
                assertThat(room.path("summary").path("m.joined_member_count").asInt()).as("room " + i).isEqualTo(i + 2);
                assertThat(room.path("summary").has("m.heroes")).as("unnamed room " + i).isEqualTo(i % 2 == 1);
                List<String> state = types(room.path("state").path("events"));
                assertThat(state).as("room " + i).contains("m.room.create/").doesNotContain("m.room.member/" + id("member0"));
                assertThat(state.contains("m.room.name/")).as("room " + i).isEqualTo(i % 2 == 0);
                assertThat(state).as("room " + i + ": the timeline's senders in " + room).contains("m.room.member/" + id("alice"));
                assertThat(room.path("ephemeral").path("events").isEmpty()).as("receipt only in room 5").isEqualTo(i != 5);
            }
            // history_visibility joined: bob's window is limited to events after his join, never the one before it
            JsonNode hidden = s.sync(bob, filter("{\"room\":{\"timeline\":{\"limit\":50}}}")).path("rooms").path("join")
                    .path(rooms.get(3)).path("timeline").path("events");
            assertThat(hidden.toString()).contains("after bob 3").doesNotContain("before bob 3");
            JsonNode shared = s.sync(bob, filter("{\"room\":{\"timeline\":{\"limit\":50}}}")).path("rooms").path("join")
                    .path(rooms.get(4)).path("timeline").path("events");
            assertThat(shared.toString()).contains("before bob 4");
        }
    }

    @DatabaseTest
    void stateChangedOutOfTheUsersSightStillReachesTheirState(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            s.user("alice");
            String bob = s.user("bob");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.message(room, id("alice"), "shared with later members");
            String change = s.rooms.state(room, id("alice"), "m.room.history_visibility", "", Map.of("history_visibility", "joined"));
            s.rooms.state(room, id("alice"), "m.room.name", "", Map.of("name", "Named before bob came"));
            s.rooms.message(room, id("alice"), "hidden from bob");
            s.rooms.join(room, id("bob"));
            s.rooms.message(room, id("alice"), "welcome");

            JsonNode joined = s.sync(bob, filter("{\"room\":{\"timeline\":{\"limit\":10}}}")).path("rooms").path("join").path(room);
            // why: the name change is hidden from bob (history visible to joined members only); a timeline that reached
            // past it to the shared message would leave the name out of both the state and the timeline
            assertThat(joined.path("timeline").toString()).contains("welcome").doesNotContain("hidden from bob", "shared with later");
            assertThat(joined.path("timeline").path("limited").asBoolean()).isTrue();
            assertThat(joined.path("state").toString()).contains("Named before bob came", "\"joined\"");

            // the visibility change itself is visible to bob (the visibility before it, shared, allows it), in history
            JsonNode messages = s.call("GET", "/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b&limit=50", bob, null).body();
            assertThat(messages.toString()).contains(change, "shared with later members").doesNotContain("hidden from bob");
        }
    }

    @DatabaseTest
    void incrementalSyncGivesOnlyWhatIsNew(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            String next = s.sync(alice, "").path("next_batch").asString();

            JsonNode nothing = s.sync(alice, "since=" + next);
            assertThat(nothing.path("rooms").path("join").size()).isZero();
            assertThat(nothing.path("next_batch").asString()).isEqualTo(next);

            String m = s.rooms.send(room, id("alice"), "m.room.message", null, Map.of("body", "hi"), "DEValice", "txn1");
            JsonNode one = s.sync(alice, "since=" + next);
            JsonNode timeline = one.path("rooms").path("join").path(room).path("timeline");
            assertThat(ids(timeline.path("events"))).containsExactly(m);
            assertThat(timeline.path("limited").asBoolean()).isFalse();
            assertThat(timeline.path("events").get(0).path("unsigned").path("transaction_id").asString()).isEqualTo("txn1");
            assertThat(one.path("rooms").path("join").path(room).path("state").path("events").size()).isZero();
        }
    }

    @DatabaseTest
    void gappySyncCarriesStateChangesMadeInTheGap(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            String f = filter("{\"room\":{\"timeline\":{\"limit\":3}}}");
            String next = s.sync(alice, f).path("next_batch").asString();
            String topic = s.rooms.state(room, id("alice"), "m.room.topic", "", Map.of("topic", "gap"));
            for (int i = 0; i < 6; i++) s.rooms.message(room, id("alice"), "m" + i);
            String name = s.rooms.state(room, id("alice"), "m.room.name", "", Map.of("name", "in timeline"));

            JsonNode r = s.sync(alice, f + "&since=" + next).path("rooms").path("join").path(room);
            assertThat(r.path("timeline").path("limited").asBoolean()).isTrue();
            assertThat(ids(r.path("timeline").path("events"))).hasSize(3).endsWith(name);
            assertThat(ids(r.path("state").path("events"))).containsExactly(topic);
        }
    }

    @DatabaseTest
    void leavingShowsTheLeaveAndNothingAfterItThenRejoiningGivesFullState(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            s.user("alice");
            String bob = s.user("bob");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            String next = s.sync(bob, "").path("next_batch").asString();
            String before = s.rooms.message(room, id("alice"), "before");
            String leave = s.rooms.leave(room, id("bob"));
            String after = s.rooms.message(room, id("alice"), "after");

            JsonNode r = s.sync(bob, "since=" + next);
            assertThat(r.path("rooms").path("join").has(room)).isFalse();
            JsonNode left = r.path("rooms").path("leave").path(room);
            assertThat(ids(left.path("timeline").path("events"))).containsExactly(before, leave);
            next = r.path("next_batch").asString();
            assertThat(s.sync(bob, "since=" + next).path("rooms").path("leave").size()).isZero();

            // initial sync: left rooms only with include_leave
            assertThat(s.sync(bob, "").path("rooms").path("leave").has(room)).isFalse();
            JsonNode withLeave = s.sync(bob, filter("{\"room\":{\"include_leave\":true}}")).path("rooms").path("leave").path(room);
            assertThat(ids(withLeave.path("timeline").path("events"))).endsWith(leave).doesNotContain(after);

            s.rooms.state(room, id("alice"), "m.room.name", "", Map.of("name", "while away"));
            String rejoin = s.rooms.join(room, id("bob"));
            JsonNode back = s.sync(bob, filter("{\"room\":{\"timeline\":{\"limit\":1}}}") + "&since=" + next)
                    .path("rooms").path("join").path(room);
            assertThat(ids(back.path("timeline").path("events"))).containsExactly(rejoin);
            assertThat(types(back.path("state").path("events"))).contains("m.room.create/", "m.room.name/",
                    "m.room.member/" + id("alice"));
        }
    }

    @DatabaseTest
    void invitesCarryStrippedStateAndARejectionComesAsLeave(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            s.user("alice");
            String carol = s.user("carol");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.state(room, id("alice"), "m.room.name", "", Map.of("name", "Secret"));
            s.rooms.message(room, id("alice"), "not for carol");
            String next = s.sync(carol, "").path("next_batch").asString();
            String invite = s.rooms.member(room, id("alice"), id("carol"), "invite");

            JsonNode r = s.sync(carol, "since=" + next);
            JsonNode state = r.path("rooms").path("invite").path(room).path("invite_state").path("events");
            assertThat(types(state)).contains("m.room.name/", "m.room.create/", "m.room.member/" + id("carol"));
            for (JsonNode e : state) assertThat(e.has("event_id")).isFalse();
            assertThat(s.sync(carol, "").path("rooms").path("invite").has(room)).isTrue();

            String reject = s.rooms.leave(room, id("carol"));
            JsonNode rejected = s.sync(carol, "since=" + r.path("next_batch").asString());
            assertThat(ids(rejected.path("rooms").path("leave").path(room).path("timeline").path("events")))
                    .containsExactly(reject);
            assertThat(invite).isNotEmpty();
        }
    }

    @DatabaseTest
    void fullStateOnAnIncrementalSyncResendsAllState(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            String next = s.sync(alice, "").path("next_batch").asString();
            String m = s.rooms.message(room, id("alice"), "x");
            JsonNode r = s.sync(alice, "full_state=true&since=" + next).path("rooms").path("join").path(room);
            assertThat(ids(r.path("timeline").path("events"))).containsExactly(m);
            assertThat(types(r.path("state").path("events"))).containsExactlyInAnyOrder("m.room.create/",
                    "m.room.member/" + id("alice"));
        }
    }

    @DatabaseTest
    void sinceTokensSurviveARestart(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            String next = s.sync(alice, "").path("next_batch").asString();
            s.restart();
            String m = s.rooms.message(room, id("alice"), "after restart");
            JsonNode r = s.sync(alice, "since=" + next);
            assertThat(ids(r.path("rooms").path("join").path(room).path("timeline").path("events"))).containsExactly(m);
        }
    }

    @DatabaseTest
    void longPollWakesOnANewEventAndOnAnInvite(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.rooms.createRoom(id("alice"));
            String next = s.sync(alice, "").path("next_batch").asString();
            var poll = s.syncAsync(alice, "timeout=20000&since=" + next);
            awaitWaiting(s, 1);
            long start = System.nanoTime();
            String m = s.rooms.message(room, id("alice"), "wake");
            JsonNode r = poll.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(ids(r.path("rooms").path("join").path(room).path("timeline").path("events"))).containsExactly(m);
            assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);

            String bobNext = s.sync(bob, "").path("next_batch").asString();
            var bobPoll = s.syncAsync(bob, "timeout=20000&since=" + bobNext);
            awaitWaiting(s, 1);
            s.rooms.member(room, id("alice"), id("bob"), "invite");
            assertThat(bobPoll.get(10, java.util.concurrent.TimeUnit.SECONDS).path("rooms").path("invite").has(room)).isTrue();
        }
    }

    @DatabaseTest
    void aLongPollWithAWiderFilterReadsWhenANarrowerOneFoundNothingAtTheSameToken(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String quiet = s.rooms.createRoom(id("alice"));
            String busy = s.rooms.createRoom(id("alice"));
            String next = s.sync(alice, "").path("next_batch").asString();
            String m = s.rooms.message(busy, id("alice"), "before the polls");

            var narrow = s.syncAsync(alice, "timeout=20000&since=" + next + "&filter="
                    + enc("{\"room\":{\"rooms\":[\"" + quiet + "\"]}}"));
            awaitParked(s.sync().notifier(), 1);
            var wide = s.syncAsync(alice, "timeout=20000&since=" + next);
            JsonNode r = wide.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(ids(r.path("rooms").path("join").path(busy).path("timeline").path("events"))).containsExactly(m);

            String q = s.rooms.message(quiet, id("alice"), "for the narrow poll");
            JsonNode n = narrow.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(ids(n.path("rooms").path("join").path(quiet).path("timeline").path("events"))).containsExactly(q);
            assertThat(n.path("rooms").path("join").has(busy)).isFalse();
        }
    }

    @DatabaseTest
    void manyPollsOfOneTokenAllWakeForOneEvent(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            String next = s.sync(alice, "").path("next_batch").asString();
            List<java.util.concurrent.CompletableFuture<JsonNode>> polls = new ArrayList<>();
            for (int i = 0; i < 50; i++) polls.add(s.syncAsync(alice, "timeout=20000&since=" + next));
            awaitParked(s.sync().notifier(), 50);
            String m = s.rooms.message(room, id("alice"), "wake them all");
            for (var poll : polls) {
                JsonNode r = poll.get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(ids(r.path("rooms").path("join").path(room).path("timeline").path("events"))).containsExactly(m);
            }
        }
    }

    @DatabaseTest
    void longPollTimesOutWithTheSameToken(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String other = s.rooms.createRoom(id("bob"));
            String next = s.sync(alice, "").path("next_batch").asString();
            long start = System.nanoTime();
            var poll = s.syncAsync(alice, "timeout=300&since=" + next);
            s.rooms.message(other, id("bob"), "not alice's business");
            JsonNode r = poll.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(300_000_000L);
            assertThat(r.path("rooms").path("join").size()).isZero();
        }
    }

    @DatabaseTest
    void badQueriesAreMatrixErrors(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            assertThat(s.get("/_matrix/client/v3/sync", null).errcode()).isEqualTo("M_MISSING_TOKEN");
            assertThat(s.get("/_matrix/client/v3/sync?since=garbage", alice).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.get("/_matrix/client/v3/sync?timeout=soon", alice).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.get("/_matrix/client/v3/sync?full_state=yes", alice).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.get("/_matrix/client/v3/sync?set_presence=busy", alice).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.get("/_matrix/client/v3/sync?filter=" + enc("{nope"), alice).errcode()).isEqualTo("M_NOT_JSON");
            assertThat(s.get("/_matrix/client/v3/sync?filter=" + enc("{\"room\":{\"timeline\":{\"limit\":-1}}}"), alice)
                    .errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.get("/_matrix/client/v3/sync?filter=" + enc("{\"room\":{\"rooms\":\"!a:b\"}}"), alice)
                    .errcode()).isEqualTo("M_BAD_JSON");
            SyncTestServer.Response unknown = s.get("/_matrix/client/v3/sync?filter=42", alice);
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.errcode()).isEqualTo("M_NOT_FOUND");
        }
    }

    @DatabaseTest
    void summaryHeroesAndTheFederationFormat(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            s.rooms.member(room, id("alice"), id("carol"), "invite");
            JsonNode summary = s.sync(alice, "").path("rooms").path("join").path(room).path("summary");
            assertThat(summary.path("m.joined_member_count").asInt()).isEqualTo(2);
            assertThat(summary.path("m.invited_member_count").asInt()).isEqualTo(1);
            assertThat(summary.path("m.heroes").toString()).isEqualTo("[\"" + id("bob") + "\",\"" + id("carol") + "\"]");

            JsonNode pdus = s.sync(alice, filter("{\"event_format\":\"federation\"}")).path("rooms").path("join").path(room)
                    .path("timeline").path("events");
            assertThat(pdus.get(0).has("prev_events")).isTrue();
            JsonNode clients = s.sync(alice, "").path("rooms").path("join").path(room).path("timeline").path("events");
            assertThat(clients.get(0).has("prev_events")).isFalse();
            assertThat(s.get("/_matrix/client/v3/sync?filter=" + enc("{\"event_format\":\"xml\"}"), alice).errcode())
                    .isEqualTo("M_BAD_JSON");
        }
    }

    @DatabaseTest
    void aKnockComesWithKnockStateAndAnAcceptedKnockAsAJoin(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            s.user("alice");
            String dave = s.user("dave");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.state(room, id("alice"), "m.room.join_rules", "", Map.of("join_rule", "knock"));
            String next = s.sync(dave, "").path("next_batch").asString();
            s.rooms.member(room, id("dave"), id("dave"), "knock");
            JsonNode knocked = s.sync(dave, "since=" + next);
            assertThat(types(knocked.path("rooms").path("knock").path(room).path("knock_state").path("events")))
                    .contains("m.room.join_rules/", "m.room.member/" + id("dave"));
            s.rooms.member(room, id("alice"), id("dave"), "invite");
            s.rooms.join(room, id("dave"));
            JsonNode joined = s.sync(dave, "since=" + knocked.path("next_batch").asString());
            assertThat(joined.path("rooms").path("join").has(room)).isTrue();
            assertThat(joined.path("rooms").path("knock").has(room)).isFalse();
        }
    }

    @DatabaseTest
    void aRedeliveredRoomEventIsIndexedOnce(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            String m = s.rooms.message(room, id("alice"), "once");
            String next = s.sync(alice, "").path("next_batch").asString();
            long again = s.sync().indexer().index(new dev.myelin.syncapi.internal.NewRoomEvent(room, m, List.of(), List.of(),
                    null, null));
            assertThat(again).isZero();
            assertThat(s.sync(alice, "since=" + next).path("next_batch").asString()).isEqualTo(next);
            assertThat(ids(s.sync(alice, "").path("rooms").path("join").path(room).path("timeline").path("events")))
                    .containsOnlyOnce(m);
        }
    }

    static void awaitWaiting(SyncTestServer s, int users) throws InterruptedException {
        awaitWaiting(s.sync().notifier(), users);
    }

    /** Waits until {@code polls} long polls have read, found nothing, and parked. */
    static void awaitParked(dev.myelin.syncapi.internal.Notifier notifier, int polls) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (notifier.parkedPolls() < polls) {
            assertThat(System.nanoTime()).as("polls parked in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    static void awaitWaiting(dev.myelin.syncapi.internal.Notifier notifier, int users) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (notifier.waitingUsers() < users && System.nanoTime() < deadline) Thread.sleep(5);
        Thread.sleep(20); // why: the poll registers before its first read; give it time to finish that read and park
    }
}
