package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.RoomsAndSyncServer.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.RoomsAndSyncServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/** /sync over HTTP against the real roomserver and the OutputRoomEvent stream, on both dialects. */
class SyncOverRoomserverTest {

    private static List<String> bodies(JsonNode timeline) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : timeline.path("events")) {
            if (e.path("type").asString().equals("m.room.message")) out.add(e.path("content").path("body").asString());
        }
        return out;
    }

    @DatabaseTest
    void twentyMessagesArriveInOrderAndALongPollWakesForTheNext(DatabaseConfig config) throws Exception {
        try (RoomsAndSyncServer s = new RoomsAndSyncServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.createRoom(alice, Map.of("preset", "public_chat", "name", "Chat"));
            s.join(bob, room);
            String last = null;
            for (int i = 0; i < 20; i++) last = s.send(alice, room, "m" + i);
            s.syncPast(bob, null, last);

            JsonNode initial = s.sync(bob, "filter=" + java.net.URLEncoder.encode("{\"room\":{\"timeline\":{\"limit\":20}}}",
                    java.nio.charset.StandardCharsets.UTF_8));
            JsonNode joined = initial.path("rooms").path("join").path(room);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) expected.add("m" + i);
            assertThat(bodies(joined.path("timeline"))).containsExactlyElementsOf(expected);
            assertThat(joined.path("timeline").path("limited").asBoolean()).isTrue();
            assertThat(joined.path("state").toString()).contains("m.room.create", "m.room.name", "m.room.power_levels");
            assertThat(joined.path("summary").path("m.joined_member_count").asInt()).isEqualTo(2);

            var poll = s.syncAsync(bob, "timeout=20000&since=" + initial.path("next_batch").asString());
            SyncRoomsTest.awaitWaiting(s.sync().notifier(), 1);
            String wake = s.send(alice, room, "wake up");
            JsonNode woken = poll.get(10, TimeUnit.SECONDS);
            // why: the poll may first wake for bob's new unread count or alice's presence (her send is activity),
            // before the message is indexed; the message must follow in the next syncs, alone
            List<String> seen = new ArrayList<>(bodies(woken.path("rooms").path("join").path(room).path("timeline")));
            StringBuilder all = new StringBuilder(woken.toString());
            for (int i = 0; i < 5 && seen.isEmpty(); i++) {
                woken = s.sync(bob, "timeout=5000&since=" + woken.path("next_batch").asString());
                seen.addAll(bodies(woken.path("rooms").path("join").path(room).path("timeline")));
                all.append(woken);
            }
            assertThat(seen).containsExactly("wake up");
            assertThat(all.toString()).contains(wake);
        }
    }

    @DatabaseTest
    void membershipChangesThroughTheRoomserverReachSync(DatabaseConfig config) throws Exception {
        try (RoomsAndSyncServer s = new RoomsAndSyncServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.createRoom(alice, Map.of("preset", "private_chat"));
            String next = s.sync(bob, "").path("next_batch").asString();
            s.invite(alice, room, id("bob"));
            JsonNode invited = s.sync(bob, "timeout=5000&since=" + next);
            assertThat(invited.path("rooms").path("invite").path(room).path("invite_state").toString())
                    .contains("m.room.create", "\"invite\"");
            s.join(bob, room);
            String m = s.send(alice, room, "welcome");
            next = s.syncPast(bob, invited.path("next_batch").asString(), m);
            s.leave(bob, room);
            String after = s.send(alice, room, "gone");
            // why: the poll may first wake for alice's presence (her sends are activity), before the leave is indexed
            JsonNode left = s.sync(bob, "timeout=5000&since=" + next);
            for (int i = 0; i < 5 && !left.path("rooms").path("leave").has(room); i++) {
                left = s.sync(bob, "timeout=5000&since=" + left.path("next_batch").asString());
            }
            assertThat(left.path("rooms").path("leave").has(room)).isTrue();
            assertThat(left.toString()).doesNotContain(after);

            s.restart();
            String again = s.send(alice, room, "after restart");
            // the since token from before the restart still works: the new event arrives incrementally
            s.syncPast(alice, left.path("next_batch").asString(), again);
        }
    }
}
