package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.RoomsAndSyncServer.enc;
import static dev.myelin.syncapi.RoomsAndSyncServer.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.RoomsAndSyncServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** {@code GET /rooms/{roomId}/members} with {@code at}, {@code membership} and {@code not_membership}, over HTTP on both dialects. */
class MembersTest {

    private static List<String> members(JsonNode response) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : response.path("chunk")) out.add(e.path("state_key").asString() + "=" + e.path("content").path("membership").asString());
        return out;
    }

    @DatabaseTest
    void listsTheMembersAtATokenWithMembershipFilters(DatabaseConfig config) throws Exception {
        try (RoomsAndSyncServer s = new RoomsAndSyncServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String carol = s.user("carol");
            String dave = s.user("dave");
            String room = s.createRoom(alice, Map.of("preset", "public_chat"));
            String m = "/_matrix/client/v3/rooms/" + enc(room) + "/members";
            s.join(bob, room);
            s.invite(alice, room, id("dave"));
            String before = s.send(alice, room, "before carol");
            String early = s.syncPast(alice, null, before);
            // a prev_batch-style pagination token of the same point
            JsonNode sync = s.sync(alice, "since=" + early + "&timeout=0");
            assertThat(sync.path("next_batch").asString()).isNotEmpty();

            s.join(carol, room);
            s.leave(bob, room);
            s.call("POST", "/_matrix/client/v3/rooms/" + enc(room) + "/ban", alice, Map.of("user_id", id("eve"), "reason", "no"));
            String after = s.send(alice, room, "after");
            s.syncPast(alice, early, after);

            assertThat(members(s.call("GET", m, alice, null))).containsExactly(
                    id("alice") + "=join", id("bob") + "=leave", id("carol") + "=join", id("dave") + "=invite", id("eve") + "=ban");
            assertThat(members(s.call("GET", m + "?at=" + early, alice, null))).containsExactly(
                    id("alice") + "=join", id("bob") + "=join", id("dave") + "=invite");
            assertThat(members(s.call("GET", m + "?at=" + early + "&membership=join", alice, null))).containsExactly(
                    id("alice") + "=join", id("bob") + "=join");
            assertThat(members(s.call("GET", m + "?at=" + early + "&not_membership=join", alice, null))).containsExactly(
                    id("dave") + "=invite");
            assertThat(members(s.call("GET", m + "?not_membership=leave", alice, null))).containsExactly(
                    id("alice") + "=join", id("carol") + "=join", id("dave") + "=invite", id("eve") + "=ban");
            assertThat(members(s.call("GET", m + "?membership=join&not_membership=leave", alice, null))).containsExactly(
                    id("alice") + "=join", id("carol") + "=join");
            assertThat(members(s.call("GET", m + "?membership=ban", alice, null))).containsExactly(id("eve") + "=ban");

            // bob left: he sees the members as they were when he left, whatever token he names
            List<String> atLeave = List.of(id("alice") + "=join", id("bob") + "=leave", id("carol") + "=join", id("dave") + "=invite");
            assertThat(members(s.call("GET", m, bob, null))).containsExactlyElementsOf(atLeave);
            String now = s.sync(alice, "timeout=0").path("next_batch").asString();
            assertThat(members(s.call("GET", m + "?at=" + now, bob, null))).containsExactlyElementsOf(atLeave);
            assertThat(members(s.call("GET", m + "?at=" + early, bob, null))).contains(id("bob") + "=join");

            // a pagination token (t<pos>) names the same kind of point as a sync token
            JsonNode page = s.call("GET", "/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b&limit=1", alice, null);
            String prev = page.path("end").asString();
            assertThat(members(s.call("GET", m + "?at=" + prev, alice, null))).contains(id("eve") + "=ban");

            // bad input
            assertThat(s.request("GET", m + "?membership=joined", alice, null).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.request("GET", m + "?not_membership=x", alice, null).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.request("GET", m + "?at=garbage", alice, null).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.request("GET", m, null, null).errcode()).isEqualTo("M_MISSING_TOKEN");
            // dave is only invited: like /state, no member list
            assertThat(s.request("GET", m, dave, null).errcode()).isEqualTo("M_FORBIDDEN");
            String frank = s.user("frank");
            assertThat(s.request("GET", m, frank, null).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.request("GET", "/_matrix/client/v3/rooms/" + enc("!nope:test.local") + "/members", alice, null).status())
                    .isEqualTo(403);
        }
    }

    @DatabaseTest
    void aTokenFromBeforeTheUserMaySeeTheRoomIsRefused(DatabaseConfig config) throws Exception {
        try (RoomsAndSyncServer s = new RoomsAndSyncServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.createRoom(alice, Map.of("preset", "public_chat"));
            s.state(alice, room, "m.room.history_visibility", "", Map.of("history_visibility", "joined"));
            String early = s.syncPast(alice, null, s.send(alice, room, "private"));
            s.join(bob, room);
            String m = "/_matrix/client/v3/rooms/" + enc(room) + "/members";
            s.syncPast(bob, null, s.send(alice, room, "hi bob"));
            assertThat(s.request("GET", m + "?at=" + early, bob, null).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(members(s.call("GET", m, bob, null))).containsExactly(id("alice") + "=join", id("bob") + "=join");
        }
    }
}
