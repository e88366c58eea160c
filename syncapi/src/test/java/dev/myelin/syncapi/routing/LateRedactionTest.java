package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.RoomsAndSyncServer.enc;
import static dev.myelin.syncapi.RoomsAndSyncServer.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.protocol.crypto.EventSigning;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.event.EventIds;
import dev.myelin.protocol.room.RoomVersions;
import dev.myelin.syncapi.RoomsAndSyncServer;
import java.security.SecureRandom;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A redaction stored before its target: once the target arrives (fed to the roomserver's input, as federation
 * will), every endpoint serves it redacted with {@code redacted_because}, and its relation is never indexed.
 */
class LateRedactionTest {

    private static void assertRedacted(JsonNode event, String redactionId) {
        assertThat(event.path("content").isEmpty()).as("content of %s", event).isTrue();
        assertThat(event.path("unsigned").path("redacted_because").path("event_id").asString()).isEqualTo(redactionId);
    }

    private static JsonNode find(JsonNode events, String eventId) {
        for (JsonNode e : events) if (e.path("event_id").asString().equals(eventId)) return e;
        throw new AssertionError(eventId + " not in " + events);
    }

    @DatabaseTest
    void aTargetArrivingAfterItsRedactionIsServedRedactedEverywhere(DatabaseConfig config) throws Exception {
        try (RoomsAndSyncServer s = new RoomsAndSyncServer(config)) {
            String alice = s.user("alice");
            String bob = s.user("bob");
            String room = s.createRoom(alice, Map.of("preset", "public_chat"));
            s.join(bob, room);
            String message = s.send(alice, room, "hello");
            String r = "/_matrix/client/v3/rooms/" + enc(room);

            // bob's reaction, built on another server's copy of the room and not delivered yet
            var version = RoomVersions.get("11");
            ObjectNode reaction = RoomsAndSyncServer.JSON.createObjectNode();
            reaction.put("type", "m.reaction");
            reaction.put("room_id", room);
            reaction.put("sender", id("bob"));
            reaction.putObject("content").putObject("m.relates_to")
                    .put("rel_type", "m.annotation").put("event_id", message).put("key", "👍");
            reaction.put("origin_server_ts", System.currentTimeMillis());
            reaction.put("depth", s.rooms().events().event(message).orElseThrow().pdu().depth() + 1);
            reaction.putArray("prev_events").add(message);
            reaction.putArray("auth_events");
            ObjectNode signed = EventSigning.hashAndSign(version, reaction, "test.local", SigningKey.generate(new SecureRandom()));
            String target = EventIds.eventId(version, signed);

            String redaction = s.call("PUT", r + "/redact/" + enc(target) + "/t1", alice, Map.of("reason", "no")).path("event_id").asString();
            assertThat(s.rooms().receiveEvent(signed)).isTrue();
            String after = s.send(alice, room, "after");
            s.syncPast(alice, null, after);

            assertRedacted(s.call("GET", r + "/event/" + enc(target), alice, null), redaction);
            assertRedacted(find(s.call("GET", r + "/messages?dir=b&limit=10", alice, null).path("chunk"), target), redaction);
            assertRedacted(s.call("GET", r + "/context/" + enc(target), alice, null).path("event"), redaction);
            String filter = enc("{\"room\":{\"timeline\":{\"limit\":20}}}");
            JsonNode timeline = s.sync(bob, "filter=" + filter).path("rooms").path("join").path(room).path("timeline").path("events");
            assertRedacted(find(timeline, target), redaction);
            // a redacted event relates to nothing
            JsonNode relations = s.call("GET", "/_matrix/client/v1/rooms/" + enc(room) + "/relations/" + enc(message), alice, null);
            assertThat(relations.path("chunk").toString()).doesNotContain(target);
            JsonNode annotations = s.call("GET", "/_matrix/client/v1/rooms/" + enc(room) + "/relations/" + enc(message)
                    + "/m.annotation", alice, null);
            assertThat(annotations.path("chunk").size()).isZero();
        }
    }
}
