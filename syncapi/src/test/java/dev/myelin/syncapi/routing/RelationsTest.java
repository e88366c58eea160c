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

/** /relations (with recurse and filters), /threads and the aggregations in unsigned.m.relations. */
class RelationsTest {

    private static Map<String, Object> relates(String relType, String eventId) {
        return Map.of("m.relates_to", Map.of("rel_type", relType, "event_id", eventId));
    }

    private static String v1(String room) {
        return "/_matrix/client/v1/rooms/" + enc(room);
    }

    @DatabaseTest
    void relationsReadRightAfterASendWaitForSyncToIndexIt(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            String root = s.rooms.message(room, id("alice"), "original");
            s.rooms.holdIndexing();
            String reaction = s.rooms.send(room, id("alice"), "m.reaction", null,
                    Map.of("m.relates_to", Map.of("rel_type", "m.annotation", "event_id", root, "key", "👍")), null, null);
            var read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return s.get(v1(room) + "/relations/" + enc(root), alice).body();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(300);
            assertThat(read).as("the read waits while sync lags behind the roomserver").isNotDone();
            s.rooms.releaseIndexing();
            assertThat(ids(read.get(10, java.util.concurrent.TimeUnit.SECONDS).path("chunk"))).containsExactly(reaction);
        }
    }

    @DatabaseTest
    void editsReactionsAndThreadsAreListedAndAggregated(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.rooms.createRoom(id("alice"));
            s.rooms.join(room, id("bob"));
            String root = s.rooms.message(room, id("alice"), "original");
            String edit = s.rooms.send(room, id("alice"), "m.room.message", null, Map.of("body", "* edited",
                    "m.new_content", Map.of("body", "edited"), "m.relates_to", Map.of("rel_type", "m.replace", "event_id", root)), null, null);
            s.rooms.send(room, id("bob"), "m.room.message", null, Map.of("body", "* hijack",
                    "m.relates_to", Map.of("rel_type", "m.replace", "event_id", root)), null, null);
            String reaction = s.rooms.send(room, id("bob"), "m.reaction", null,
                    Map.of("m.relates_to", Map.of("rel_type", "m.annotation", "event_id", root, "key", "👍")), null, null);
            String reply = s.rooms.send(room, id("bob"), "m.room.message", null,
                    Map.of("body", "in thread", "m.relates_to", Map.of("rel_type", "m.thread", "event_id", root)), null, null);
            String nested = s.rooms.send(room, id("alice"), "m.reaction", null,
                    Map.of("m.relates_to", Map.of("rel_type", "m.annotation", "event_id", reply, "key", "x")), null, null);
            String ref = s.rooms.send(room, id("alice"), "m.room.message", null, relates("m.reference", root), null, null);

            JsonNode all = s.get(v1(room) + "/relations/" + enc(root), alice).body();
            assertThat(ids(all.path("chunk"))).containsExactly(ref, reply, reaction, ids(all.path("chunk")).get(3), edit);
            assertThat(ids(s.get(v1(room) + "/relations/" + enc(root) + "/m.annotation", alice).body().path("chunk")))
                    .containsExactly(reaction);
            assertThat(ids(s.get(v1(room) + "/relations/" + enc(root) + "/m.annotation/m.reaction?dir=f", alice).body()
                    .path("chunk"))).containsExactly(reaction);
            JsonNode recursed = s.get(v1(room) + "/relations/" + enc(root) + "?recurse=true", alice).body();
            assertThat(ids(recursed.path("chunk"))).contains(nested);
            assertThat(recursed.path("recursion_depth").asInt()).isEqualTo(3);
            JsonNode paged = s.get(v1(room) + "/relations/" + enc(root) + "?limit=2", alice).body();
            assertThat(ids(paged.path("chunk"))).containsExactly(ref, reply);
            JsonNode rest = s.get(v1(room) + "/relations/" + enc(root) + "?limit=10&from=" + paged.path("next_batch").asString(), alice).body();
            assertThat(ids(rest.path("chunk"))).hasSize(3).endsWith(edit);

            JsonNode sync = s.sync(bob, "");
            JsonNode rootInSync = null;
            for (JsonNode e : sync.path("rooms").path("join").path(room).path("timeline").path("events")) {
                if (e.path("event_id").asString().equals(root)) rootInSync = e;
            }
            JsonNode relations = rootInSync.path("unsigned").path("m.relations");
            assertThat(relations.path("m.replace").path("event_id").asString()).isEqualTo(edit);
            assertThat(relations.path("m.thread").path("count").asInt()).isEqualTo(1);
            assertThat(relations.path("m.thread").path("latest_event").path("event_id").asString()).isEqualTo(reply);
            assertThat(relations.path("m.thread").path("current_user_participated").asBoolean()).isTrue();
            assertThat(relations.path("m.reference").path("chunk").get(0).path("event_id").asString()).isEqualTo(ref);

            JsonNode threads = s.get(v1(room) + "/threads", alice).body();
            assertThat(ids(threads.path("chunk"))).containsExactly(root);
            assertThat(threads.path("chunk").get(0).path("unsigned").path("m.relations").path("m.thread").path("count").asInt())
                    .isEqualTo(1);
            String carol = s.user("carol");
            s.rooms.join(room, id("carol"));
            assertThat(s.get(v1(room) + "/threads?include=participated", carol).body().path("chunk").size()).isZero();
            assertThat(s.get(v1(room) + "/threads?include=some", carol).errcode()).isEqualTo("M_INVALID_PARAM");

            // a redacted edit no longer counts
            s.rooms.send(room, id("alice"), "m.room.redaction", null, Map.of("redacts", edit), null, null);
            JsonNode afterRedaction = s.get(v1(room) + "/relations/" + enc(root) + "/m.replace", alice).body();
            assertThat(ids(afterRedaction.path("chunk"))).doesNotContain(edit);
            assertThat(s.get(v1(room) + "/relations/%24missing", alice).status()).isEqualTo(404);
        }
    }
}
