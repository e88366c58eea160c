package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.SyncTestServer.enc;
import static dev.myelin.syncapi.SyncTestServer.id;
import static dev.myelin.syncapi.routing.SyncRoomsTest.ids;
import static dev.myelin.syncapi.routing.SyncRoomsTest.types;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.SyncTestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** /messages, /context, history visibility, lazy-loaded members and filters, over HTTP on both dialects. */
class HistoryAndFiltersTest {

    private static String messages(String room) {
        return "/_matrix/client/v3/rooms/" + enc(room) + "/messages";
    }

    @DatabaseTest
    void backPaginationFromPrevBatchWalksTheWholeHistoryInOrder(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 25; i++) sent.add(s.rooms.message(room, id("alice"), "m" + i));
            JsonNode timeline = s.sync(alice, "filter=" + enc("{\"room\":{\"timeline\":{\"limit\":5}}}"))
                    .path("rooms").path("join").path(room).path("timeline");
            assertThat(ids(timeline.path("events"))).containsExactlyElementsOf(sent.subList(20, 25));

            List<String> seen = new ArrayList<>();
            String from = timeline.path("prev_batch").asString();
            int pages = 0;
            while (from != null && pages++ < 10) {
                JsonNode page = s.get(messages(room) + "?dir=b&limit=10&from=" + from, alice).body();
                seen.addAll(ids(page.path("chunk")));
                from = page.has("end") ? page.path("end").asString() : null;
            }
            List<String> expected = new ArrayList<>();
            for (int i = 19; i >= 0; i--) expected.add(sent.get(i));
            assertThat(seen.subList(0, 20)).containsExactlyElementsOf(expected);
            assertThat(types(s.get(messages(room) + "?dir=b&limit=100&from=" + timeline.path("prev_batch").asString(), alice)
                    .body().path("chunk"))).endsWith("m.room.member/" + id("alice"), "m.room.create/");

            JsonNode forward = s.get(messages(room) + "?dir=f&limit=3", alice).body();
            assertThat(types(forward.path("chunk"))).containsExactly("m.room.create/", "m.room.member/" + id("alice"),
                    "m.room.message");
            JsonNode next = s.get(messages(room) + "?dir=f&limit=2&from=" + forward.path("end").asString(), alice).body();
            assertThat(ids(next.path("chunk"))).containsExactly(sent.get(1), sent.get(2));
            JsonNode toBounded = s.get(messages(room) + "?dir=b&limit=50&from=" + timeline.path("prev_batch").asString()
                    + "&to=" + forward.path("end").asString(), alice).body();
            assertThat(ids(toBounded.path("chunk"))).hasSize(19).doesNotContain(sent.get(0));
        }
    }

    @DatabaseTest
    void historyVisibilityHidesWhatAUserMayNotSee(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            s.user("alice");
            String bob = s.user("bob");
            String carol = s.user("carol");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.state(room, id("alice"), "m.room.history_visibility", "", Map.of("history_visibility", "joined"));
            String secret = s.rooms.message(room, id("alice"), "before bob");
            String join = s.rooms.join(room, id("bob"));
            String seen = s.rooms.message(room, id("alice"), "with bob");
            String leave = s.rooms.leave(room, id("bob"));
            String after = s.rooms.message(room, id("alice"), "after bob");

            JsonNode page = s.get(messages(room) + "?dir=b&limit=50", bob).body();
            // the create and alice's join came before the visibility became "joined": shared, so bob sees them; so
            // is the change itself (spec: visible if the visibility before or after it allows it)
            assertThat(ids(page.path("chunk"))).startsWith(leave, seen, join).hasSize(6);
            assertThat(ids(page.path("chunk"))).doesNotContain(secret, after);

            JsonNode left = s.sync(bob, "filter=" + enc("{\"room\":{\"include_leave\":true}}")).path("rooms").path("leave").path(room);
            assertThat(ids(left.path("timeline").path("events"))).endsWith(join, seen, leave).doesNotContain(secret, after);

            SyncTestServer.Response stranger = s.get(messages(room) + "?dir=b", carol);
            assertThat(stranger.status()).isEqualTo(403);
            assertThat(stranger.errcode()).isEqualTo("M_FORBIDDEN");
            SyncTestServer.Response hidden = s.get("/_matrix/client/v3/rooms/" + enc(room) + "/context/" + enc(secret), bob);
            assertThat(hidden.status()).isEqualTo(404);
        }
    }

    @DatabaseTest
    void contextGivesEventsAroundAndTheState(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 9; i++) sent.add(s.rooms.message(room, id("alice"), "m" + i));
            JsonNode ctx = s.get("/_matrix/client/v3/rooms/" + enc(room) + "/context/" + enc(sent.get(4)) + "?limit=4", alice).body();
            assertThat(ctx.path("event").path("event_id").asString()).isEqualTo(sent.get(4));
            assertThat(ids(ctx.path("events_before"))).containsExactly(sent.get(3), sent.get(2));
            assertThat(ids(ctx.path("events_after"))).containsExactly(sent.get(5), sent.get(6));
            assertThat(types(ctx.path("state"))).contains("m.room.create/", "m.room.member/" + id("alice"));
            JsonNode back = s.get(messages(room) + "?dir=b&limit=1&from=" + ctx.path("start").asString(), alice).body();
            assertThat(ids(back.path("chunk"))).containsExactly(sent.get(1));
            JsonNode forward = s.get(messages(room) + "?dir=f&limit=1&from=" + ctx.path("end").asString(), alice).body();
            assertThat(ids(forward.path("chunk"))).containsExactly(sent.get(7));
            assertThat(s.get("/_matrix/client/v3/rooms/" + enc(room) + "/context/%24nope", alice).status()).isEqualTo(404);
            assertThat(s.get(messages(room), alice).errcode()).isEqualTo("M_MISSING_PARAM");
            assertThat(s.get(messages(room) + "?dir=x", alice).errcode()).isEqualTo("M_INVALID_PARAM");
            assertThat(s.get(messages(room) + "?dir=b&from=zz", alice).errcode()).isEqualTo("M_INVALID_PARAM");
        }
    }

    @DatabaseTest
    void lazyLoadingSendsOnlyTheMembersOfTheSendersOnEachPage(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            for (String u : List.of("bob", "carol", "dave")) s.rooms.join(room, id(u));
            s.rooms.message(room, id("carol"), "carol speaks");
            s.rooms.message(room, id("carol"), "carol again");
            String f = "{\"room\":{\"timeline\":{\"limit\":2},\"state\":{\"lazy_load_members\":true}}}";
            JsonNode joined = s.sync(alice, "filter=" + enc(f)).path("rooms").path("join").path(room);
            assertThat(types(joined.path("state").path("events"))).contains("m.room.member/" + id("carol"))
                    .doesNotContain("m.room.member/" + id("bob"), "m.room.member/" + id("dave"));
            String next = s.sync(alice, "filter=" + enc(f)).path("next_batch").asString();

            s.rooms.message(room, id("bob"), "bob speaks");
            JsonNode incremental = s.sync(alice, "filter=" + enc(f) + "&since=" + next).path("rooms").path("join").path(room);
            assertThat(types(incremental.path("state").path("events"))).containsExactly("m.room.member/" + id("bob"));

            // carol's member event was sent already: left out, unless include_redundant_members asks for it
            String afterBob = s.sync(alice, "filter=" + enc(f) + "&since=" + next).path("next_batch").asString();
            s.rooms.message(room, id("carol"), "carol a third time");
            JsonNode notAgain = s.sync(alice, "filter=" + enc(f) + "&since=" + afterBob).path("rooms").path("join").path(room);
            assertThat(notAgain.path("state").path("events").size()).isZero();
            String redundant = "{\"room\":{\"timeline\":{\"limit\":2},\"state\":{\"lazy_load_members\":true,"
                    + "\"include_redundant_members\":true}}}";
            JsonNode again = s.sync(alice, "filter=" + enc(redundant) + "&since=" + afterBob).path("rooms").path("join").path(room);
            assertThat(types(again.path("state").path("events"))).contains("m.room.member/" + id("carol"));

            String lazy = enc("{\"lazy_load_members\":true}");
            JsonNode page = s.get(messages(room) + "?dir=b&limit=2&filter=" + lazy + "&from="
                    + joined.path("timeline").path("prev_batch").asString(), alice).body();
            assertThat(types(page.path("chunk"))).containsExactly("m.room.member/" + id("dave"), "m.room.member/" + id("carol"));
            assertThat(types(page.path("state"))).containsExactlyInAnyOrder("m.room.member/" + id("dave"),
                    "m.room.member/" + id("carol"));
        }
    }

    @DatabaseTest
    void filtersSelectTimelineAndStateEventsAndStoredFiltersWork(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            String other = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            s.rooms.message(room, id("bob"), "from bob");
            String img = s.rooms.send(room, id("alice"), "m.room.message", null, Map.of("msgtype", "m.image", "url", "mxc://x/y"), null, null);
            s.rooms.state(room, id("alice"), "com.example.custom", "", Map.of());

            JsonNode r = s.sync(alice, "filter=" + enc("{\"room\":{\"rooms\":[\"" + room + "\"],\"timeline\":{\"types\":[\"m.room.*\"],"
                    + "\"not_senders\":[\"" + id("bob") + "\"],\"contains_url\":true},\"state\":{\"types\":[\"m.room.create\"]}},"
                    + "\"event_fields\":[\"type\",\"content.url\",\"event_id\"]}"));
            JsonNode joined = r.path("rooms").path("join");
            assertThat(joined.has(other)).isFalse();
            JsonNode timeline = joined.path(room).path("timeline").path("events");
            assertThat(ids(timeline)).containsExactly(img);
            assertThat(timeline.get(0).path("content").toString()).isEqualTo("{\"url\":\"mxc://x/y\"}");
            assertThat(timeline.get(0).has("sender")).isFalse();
            assertThat(types(joined.path(room).path("state").path("events"))).containsExactly("m.room.create");

            String filterId = s.users.createFilter("alice", (tools.jackson.databind.node.ObjectNode) SyncTestServer.JSON.readTree(
                    "{\"room\":{\"not_rooms\":[\"" + room + "\"]}}"));
            JsonNode stored = s.sync(alice, "filter=" + filterId).path("rooms").path("join");
            assertThat(stored.has(room)).isFalse();
            assertThat(stored.has(other)).isTrue();
        }
    }
}
