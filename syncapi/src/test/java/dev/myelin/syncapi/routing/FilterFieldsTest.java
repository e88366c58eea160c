package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.SyncTestServer.enc;
import static dev.myelin.syncapi.SyncTestServer.id;
import static dev.myelin.syncapi.routing.SyncRoomsTest.filter;
import static dev.myelin.syncapi.routing.SyncRoomsTest.ids;
import static dev.myelin.syncapi.routing.SyncRoomsTest.types;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.SyncTestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The filter fields the other sync tests do not reach: the ephemeral, room account data and presence filters
 * (types, senders, limit), the timeline's room lists, and ignored users in {@code /context}.
 */
class FilterFieldsTest {

    @DatabaseTest
    void ephemeralAndRoomAccountDataFiltersSelectTypesAndLimit(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            String m = s.rooms.message(room, id("alice"), "hi");
            s.call("POST", "/_matrix/client/v3/rooms/" + enc(room) + "/receipt/m.read/" + enc(m), bob, Map.of());
            s.call("PUT", "/_matrix/client/v3/rooms/" + enc(room) + "/typing/" + enc(id("bob")), bob,
                    Map.of("typing", true, "timeout", 30000));
            for (String type : List.of("com.example.a", "com.example.b", "org.other")) {
                s.users.setAccountData("alice", Optional.of(room), type, (ObjectNode) SyncTestServer.JSON.readTree("{}"));
            }

            JsonNode all = s.sync(alice, "").path("rooms").path("join").path(room);
            assertThat(types(all.path("ephemeral").path("events"))).containsExactlyInAnyOrder("m.typing", "m.receipt");
            assertThat(types(all.path("account_data").path("events")))
                    .contains("com.example.a", "com.example.b", "org.other");

            JsonNode onlyTyping = s.sync(alice, filter("{\"room\":{\"ephemeral\":{\"types\":[\"m.typing\"]},"
                    + "\"account_data\":{\"types\":[\"com.example.*\"],\"limit\":1}}}")).path("rooms").path("join").path(room);
            assertThat(types(onlyTyping.path("ephemeral").path("events"))).containsExactly("m.typing");
            assertThat(types(onlyTyping.path("account_data").path("events"))).hasSize(1)
                    .allMatch(t -> t.startsWith("com.example."));

            JsonNode noReceipts = s.sync(alice, filter("{\"room\":{\"ephemeral\":{\"not_types\":[\"m.receipt\"]},"
                    + "\"account_data\":{\"not_types\":[\"com.example.*\"]}}}")).path("rooms").path("join").path(room);
            assertThat(types(noReceipts.path("ephemeral").path("events"))).containsExactly("m.typing");
            assertThat(types(noReceipts.path("account_data").path("events"))).doesNotContain("com.example.a", "com.example.b")
                    .contains("org.other");

            JsonNode limitOne = s.sync(alice, filter("{\"room\":{\"ephemeral\":{\"limit\":1}}}")).path("rooms").path("join").path(room);
            assertThat(limitOne.path("ephemeral").path("events").size()).isEqualTo(1);
            JsonNode otherRoomOnly = s.sync(alice, filter("{\"room\":{\"ephemeral\":{\"not_rooms\":[\"" + room + "\"]}}}"))
                    .path("rooms").path("join").path(room);
            assertThat(otherRoomOnly.path("ephemeral").path("events").size()).isZero();
        }
    }

    @DatabaseTest
    void presenceFilterSelectsSendersAndLimit(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String carol = s.user("carol");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            s.rooms.join(room, id("carol"));
            s.sync(bob, "");
            s.sync(carol, "");

            List<String> senders = new ArrayList<>();
            for (JsonNode e : s.sync(alice, "set_presence=offline").path("presence").path("events")) senders.add(e.path("sender").asString());
            assertThat(senders).contains(id("bob"), id("carol"));

            JsonNode onlyBob = s.sync(alice, "set_presence=offline&" + filter("{\"presence\":{\"senders\":[\"" + id("bob") + "\"]}}"));
            assertThat(onlyBob.path("presence").path("events").size()).isEqualTo(1);
            assertThat(onlyBob.path("presence").path("events").get(0).path("sender").asString()).isEqualTo(id("bob"));
            JsonNode notBob = s.sync(alice, "set_presence=offline&" + filter("{\"presence\":{\"not_senders\":[\"" + id("bob") + "\"]}}"));
            assertThat(notBob.path("presence").toString()).doesNotContain(id("bob")).contains(id("carol"));
            JsonNode none = s.sync(alice, "set_presence=offline&" + filter("{\"presence\":{\"types\":[]}}"));
            assertThat(none.path("presence").path("events").size()).isZero();
            JsonNode one = s.sync(alice, "set_presence=offline&" + filter("{\"presence\":{\"limit\":1}}"));
            assertThat(one.path("presence").path("events").size()).isEqualTo(1);
        }
    }

    @DatabaseTest
    void timelineRoomListsAndIgnoredUsersInContext(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            String other = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            String first = s.rooms.message(room, id("alice"), "one");
            String spam = s.rooms.message(room, id("bob"), "spam");
            String third = s.rooms.message(room, id("alice"), "three");
            String elsewhere = s.rooms.message(other, id("alice"), "elsewhere");

            JsonNode join = s.sync(alice, filter("{\"room\":{\"timeline\":{\"not_rooms\":[\"" + other + "\"]}}}"))
                    .path("rooms").path("join");
            assertThat(ids(join.path(room).path("timeline").path("events"))).contains(first, spam, third);
            assertThat(ids(join.path(other).path("timeline").path("events"))).doesNotContain(elsewhere);
            JsonNode onlyOther = s.sync(alice, filter("{\"room\":{\"timeline\":{\"rooms\":[\"" + other + "\"]}}}"))
                    .path("rooms").path("join");
            assertThat(ids(onlyOther.path(other).path("timeline").path("events"))).contains(elsewhere);
            assertThat(ids(onlyOther.path(room).path("timeline").path("events"))).isEmpty();

            s.users.setAccountData("alice", Optional.empty(), "m.ignored_user_list",
                    (ObjectNode) SyncTestServer.JSON.readTree("{\"ignored_users\":{\"" + id("bob") + "\":{}}}"));
            JsonNode context = s.call("GET", "/_matrix/client/v3/rooms/" + enc(room) + "/context/" + enc(third), alice, null).body();
            assertThat(ids(context.path("events_before"))).contains(first).doesNotContain(spam);
            JsonNode search = s.call("POST", "/_matrix/client/v3/search", alice,
                    Map.of("search_categories", Map.of("room_events", Map.of("search_term", "spam")))).body();
            assertThat(search.path("search_categories").path("room_events").path("results").size()).isZero();
        }
    }
}
