package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.SyncTestServer.enc;
import static dev.myelin.syncapi.SyncTestServer.id;
import static dev.myelin.syncapi.routing.SyncRoomsTest.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.SyncTestServer;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Rooms the user left stay readable up to the leave; once forgotten ({@code POST /forget}) they leave {@code /sync}
 * (even with {@code include_leave}) and their history is no longer the user's, until the user comes back.
 */
class ForgottenRoomsTest {
    private static final String INCLUDE_LEAVE = SyncRoomsTest.filter("{\"room\":{\"include_leave\":true}}");

    private static String room(String roomId) {
        return "/_matrix/client/v3/rooms/" + enc(roomId);
    }

    private static Map<String, Object> search(String term) {
        return Map.of("search_categories", Map.of("room_events", Map.of("search_term", term)));
    }

    @DatabaseTest
    void aLeftRoomIsReadableUpToTheLeaveAndGoneOnceForgotten(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String bob = s.user("bob");
            String roomId = s.rooms.createRoom(id("alice"));
            s.rooms.join(roomId, id("bob"));
            String before = s.rooms.message(roomId, id("alice"), "said while bob was here");
            s.rooms.leave(roomId, id("bob"));
            String after = s.rooms.message(roomId, id("alice"), "said after bob left");

            // left: in leave with include_leave, history readable up to the leave
            assertThat(s.sync(bob, INCLUDE_LEAVE).path("rooms").path("leave").has(roomId)).isTrue();
            JsonNode history = s.call("GET", room(roomId) + "/messages?dir=b&limit=50", bob, null).body();
            assertThat(ids(history.path("chunk"))).contains(before).doesNotContain(after);
            assertThat(s.call("GET", room(roomId) + "/context/" + enc(before), bob, null).status()).isEqualTo(200);
            assertThat(s.call("POST", "/_matrix/client/v3/search", bob, search("said")).body().toString()).contains(before);
            String next = s.sync(bob, "").path("next_batch").asString();

            s.rooms.forget(roomId, id("bob"));
            assertThat(s.sync(bob, INCLUDE_LEAVE).path("rooms").path("leave").has(roomId)).isFalse();
            assertThat(s.call("GET", room(roomId) + "/messages?dir=b", bob, null).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.call("GET", room(roomId) + "/context/" + enc(before), bob, null).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.call("GET", "/_matrix/client/v1/rooms/" + enc(roomId) + "/relations/" + enc(before), bob, null)
                    .errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.call("GET", "/_matrix/client/v1/rooms/" + enc(roomId) + "/threads", bob, null).errcode())
                    .isEqualTo("M_FORBIDDEN");
            assertThat(s.call("POST", "/_matrix/client/v3/search", bob, search("said")).body().path("search_categories")
                    .path("room_events").path("results").size()).isZero();

            // coming back un-forgets: the room is in join again and its history readable
            s.rooms.join(roomId, id("bob"));
            JsonNode rejoined = s.sync(bob, "since=" + next);
            assertThat(rejoined.path("rooms").path("join").has(roomId)).isTrue();
            assertThat(s.call("GET", room(roomId) + "/messages?dir=b&limit=50", bob, null).status()).isEqualTo(200);
        }
    }

    @DatabaseTest
    void aRoomLeftAndForgottenBetweenTwoSyncsNeverAppears(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String bob = s.user("bob");
            String kept = s.rooms.createRoom(id("alice"));
            String forgotten = s.rooms.createRoom(id("alice"));
            s.rooms.join(kept, id("bob"));
            s.rooms.join(forgotten, id("bob"));
            String next = s.sync(bob, INCLUDE_LEAVE).path("next_batch").asString();
            s.rooms.leave(kept, id("bob"));
            s.rooms.leave(forgotten, id("bob"));
            s.rooms.forget(forgotten, id("bob"));

            JsonNode leave = s.sync(bob, INCLUDE_LEAVE + "&since=" + next).path("rooms").path("leave");
            assertThat(leave.has(kept)).isTrue();
            assertThat(leave.has(forgotten)).isFalse();
            assertThat(s.sync(bob, INCLUDE_LEAVE).path("rooms").path("leave").propertyNames()).containsExactly(kept);
        }
    }
}
