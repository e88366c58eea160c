package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.SyncTestServer.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.SyncTestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** POST /search: full text on both dialects (FTS5, tsvector), order, filters, context, groupings, pagination. */
class SearchTest {
    private static final String PATH = "/_matrix/client/v3/search";

    private static Map<String, Object> query(Map<String, Object> roomEvents) {
        return Map.of("search_categories", Map.of("room_events", roomEvents));
    }

    private static List<String> results(JsonNode response) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : response.path("search_categories").path("room_events").path("results")) {
            out.add(r.path("result").path("event_id").asString());
        }
        return out;
    }

    @DatabaseTest
    void findsMessagesByWordsInJoinedRoomsOnly(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            String lunch1 = s.rooms.message(room, id("alice"), "Who wants lunch today?");
            s.rooms.message(room, id("bob"), "not me");
            String lunch2 = s.rooms.message(room, id("bob"), "LUNCH at noon, lunch lunch");
            String named = s.rooms.state(room, id("alice"), "m.room.name", "", Map.of("name", "Lunch club"));
            String other = s.rooms.createRoom(id("carol"));
            s.rooms.message(other, id("carol"), "secret lunch plans");

            JsonNode ranked = s.call("POST", PATH, alice, query(Map.of("search_term", "lunch"))).body();
            JsonNode roomEvents = ranked.path("search_categories").path("room_events");
            assertThat(results(ranked)).containsExactlyInAnyOrder(lunch1, lunch2, named);
            assertThat(roomEvents.path("count").asInt()).isEqualTo(3);
            assertThat(roomEvents.path("highlights").toString()).contains("lunch");

            // bob left: what was said before his leave stays searchable for him, what came after does not
            String bob = s.user("bob");
            s.rooms.leave(room, id("bob"));
            s.rooms.message(room, id("alice"), "lunch after bob left");
            assertThat(results(s.call("POST", PATH, bob, query(Map.of("search_term", "lunch", "keys", List.of("content.body"))))
                    .body())).containsExactlyInAnyOrder(lunch1, lunch2);

            JsonNode recent = s.call("POST", PATH, alice, query(Map.of("search_term", "lunch", "order_by", "recent",
                    "keys", List.of("content.body")))).body();
            assertThat(results(recent)).hasSize(3).endsWith(lunch2, lunch1);

            JsonNode both = s.call("POST", PATH, alice, query(Map.of("search_term", "lunch noon"))).body();
            assertThat(results(both)).containsExactly(lunch2);

            JsonNode bySender = s.call("POST", PATH, alice, query(Map.of("search_term", "lunch",
                    "filter", Map.of("senders", List.of(id("alice")), "types", List.of("m.room.message"))))).body();
            assertThat(results(bySender)).hasSize(2).contains(lunch1).doesNotContain(lunch2, named);

            JsonNode page1 = s.call("POST", PATH, alice, query(Map.of("search_term", "lunch", "order_by", "recent",
                    "filter", Map.of("limit", 2)))).body();
            assertThat(results(page1)).hasSize(2).startsWith(results(recent).get(0));
            String next = page1.path("search_categories").path("room_events").path("next_batch").asString();
            JsonNode page2 = s.call("POST", PATH + "?next_batch=" + next, alice, query(Map.of("search_term", "lunch",
                    "order_by", "recent", "filter", Map.of("limit", 2)))).body();
            assertThat(results(page2)).containsExactly(lunch2, lunch1);
            assertThat(page2.path("search_categories").path("room_events").has("next_batch")).isFalse();
        }
    }

    @DatabaseTest
    void givesContextStateAndGroupsAndForgetsRedactedEvents(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            String before = s.rooms.message(room, id("alice"), "before");
            String hit = s.rooms.message(room, id("alice"), "the needle");
            String after = s.rooms.message(room, id("alice"), "after");

            JsonNode r = s.call("POST", PATH, alice, query(Map.of("search_term", "needle",
                    "event_context", Map.of("before_limit", 1, "after_limit", 1, "include_profile", true),
                    "include_state", true, "groupings", Map.of("group_by", List.of(Map.of("key", "room_id"), Map.of("key", "sender"))))))
                    .body().path("search_categories").path("room_events");
            JsonNode context = r.path("results").get(0).path("context");
            assertThat(context.path("events_before").get(0).path("event_id").asString()).isEqualTo(before);
            assertThat(context.path("events_after").get(0).path("event_id").asString()).isEqualTo(after);
            assertThat(context.path("profile_info").has(id("alice"))).isTrue();
            assertThat(r.path("state").path(room).toString()).contains("m.room.create");
            assertThat(r.path("groups").path("room_id").path(room).path("results").get(0).asString()).isEqualTo(hit);
            assertThat(r.path("groups").path("sender").path(id("alice")).path("results").get(0).asString()).isEqualTo(hit);

            s.rooms.send(room, id("alice"), "m.room.redaction", null, Map.of("redacts", hit), null, null);
            assertThat(results(s.call("POST", PATH, alice, query(Map.of("search_term", "needle"))).body())).isEmpty();

            assertThat(s.call("POST", PATH, alice, Map.of()).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.call("POST", PATH, alice, query(Map.of("search_term", 3))).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.call("POST", PATH, alice, query(Map.of("search_term", "x", "order_by", "size"))).errcode())
                    .isEqualTo("M_BAD_JSON");
            assertThat(s.call("POST", PATH + "?next_batch=zz", alice, query(Map.of("search_term", "x"))).errcode())
                    .isEqualTo("M_INVALID_PARAM");
            assertThat(results(s.call("POST", PATH, alice, query(Map.of("search_term", "\"needle* OR x"))).body())).isEmpty();
        }
    }
}
