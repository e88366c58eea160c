package dev.myelin.roomserver.internal;

import static dev.myelin.roomserver.internal.Rooms.ALICE;
import static dev.myelin.roomserver.internal.Rooms.BOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.protocol.crypto.EventSigning;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.event.EventIds;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import dev.myelin.roomserver.api.Sender;
import dev.myelin.roomserver.api.StoredEvent;
import dev.myelin.roomserver.storage.RoomsTable;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A redaction that arrives before its target applies when the target arrives, per the room version's rules:
 * events fed to the roomserver's input in that order, then read back as clients see them.
 */
@DatabaseComponent("roomserver")
class RedactionBeforeTargetTest {
    private static final SigningKey ELSEWHERE = SigningKey.generate(new SecureRandom());
    private static final Sender MALLORY = new Sender("@mallory:remote.test", "MDEV");

    /** An event in federation format on {@code prev}, signed by a key of {@code server} (the input does not verify). */
    private static ObjectNode event(Rooms r, RoomVersion v, String roomId, String sender, String type, Map<String, ?> content,
                                    String prev, String v1EventId) {
        StoredEvent p = r.rs.events().event(prev).orElseThrow();
        ObjectNode e = Rooms.JSON.createObjectNode();
        e.put("type", type);
        e.put("room_id", roomId);
        e.put("sender", sender);
        e.set("content", Rooms.obj(content));
        e.put("origin_server_ts", System.currentTimeMillis());
        e.put("depth", p.pdu().depth() + 1);
        ArrayNode prevs = e.putArray("prev_events");
        if (v.eventFormat() == RoomVersion.EventFormat.V1) {
            prevs.addArray().add(prev).add(p.pdu().json().get("hashes").deepCopy());
            e.put("event_id", v1EventId);
        } else {
            prevs.add(prev);
        }
        e.putArray("auth_events");
        String server = sender.substring(sender.indexOf(':') + 1);
        if (!v.redactsInContent()) e.put("origin", server);
        return EventSigning.hashAndSign(v, e, server, ELSEWHERE);
    }

    private static List<Long> latest(Database db, String roomId) {
        return db.read(c -> RoomsTable.byId(c, roomId).orElseThrow().latestEventNids());
    }

    private static String head(Database db, Rooms r, String roomId) {
        long nid = db.read(c -> RoomsTable.byId(c, roomId).orElseThrow().latestEventNids()).getFirst();
        return r.rs.events().event(nid).orElseThrow().eventId();
    }

    @DatabaseTest
    void aForkedTargetArrivingAfterItsRedactionIsServedRedacted(Database db) {
        try (Rooms r = new Rooms(db)) {
            RoomVersion v = RoomVersions.get("11");
            String roomId = r.createRoom(ALICE, Map.of("room_version", "11", "preset", "public_chat"));
            r.rs.join(BOB, roomId, Optional.empty());
            String fork = head(db, r, roomId);
            ObjectNode target = event(r, v, roomId, BOB.userId(), "m.room.message", Map.of("msgtype", "m.text", "body", "oops"), fork, null);
            String targetId = EventIds.eventId(v, target);

            // alice (power level 100) redacts an event this server has not seen yet: stored, nothing to apply
            String redaction = r.rs.redact(ALICE, roomId, targetId, Optional.of("spam"), Optional.empty());
            assertThat(r.rs.events().event(targetId)).isEmpty();

            // the target arrives on a fork (its prev event is the redaction's prev event)
            assertThat(r.rs.receiveEvent(target)).isTrue();
            assertThat(r.rs.receiveEvent(target)).isFalse();
            ObjectNode served = r.rs.event(ALICE.userId(), roomId, targetId);
            assertThat(served.path("content").isEmpty()).isTrue();
            assertThat(served.path("unsigned").path("redacted_because").path("event_id").asString()).isEqualTo(redaction);
            assertThat(served.path("unsigned").path("redacted_because").path("content").path("reason").asString()).isEqualTo("spam");
            assertThat(r.rs.events().event(targetId).orElseThrow().redactedBy()).isEqualTo(redaction);

            // the fork has two forward extremities; the next local event merges them
            assertThat(latest(db, roomId)).hasSize(2);
            String next = r.message(ALICE, roomId, "after");
            assertThat(r.rs.events().event(next).orElseThrow().pdu().prevEventIds()).containsExactlyInAnyOrder(redaction, targetId);
            assertThat(latest(db, roomId)).hasSize(1);
            // a fresh roomserver (no caches) reads the same
            try (Rooms fresh = new Rooms(db)) {
                assertThat(fresh.rs.event(ALICE.userId(), roomId, targetId).path("content").isEmpty()).isTrue();
            }
        }
    }

    @DatabaseTest
    void inRoomVersionOneTheRedactionAppliesByEventIdAndKeepsWhatV1Keeps(Database db) {
        try (Rooms r = new Rooms(db)) {
            RoomVersion v = RoomVersions.get("1");
            String roomId = r.createRoom(ALICE, Map.of("room_version", "1", "preset", "public_chat"));
            r.rs.join(BOB, roomId, Optional.empty());
            // v1 event IDs are chosen by their server: the target's ID is known before it exists
            String targetId = "$late:test.local";
            String redaction = r.rs.redact(ALICE, roomId, targetId, Optional.empty(), Optional.empty());
            ObjectNode target = event(r, v, roomId, BOB.userId(), "m.room.message", Map.of("body", "late"), redaction, targetId);
            assertThat(r.rs.receiveEvent(target)).isTrue();
            ObjectNode served = r.rs.event(BOB.userId(), roomId, targetId);
            assertThat(served.path("content").isEmpty()).isTrue();
            assertThat(served.path("unsigned").path("redacted_because").path("event_id").asString()).isEqualTo(redaction);
        }
    }

    @DatabaseTest
    void fromVersionThreeAnotherServersRedactionNeedsThePowerToRedact(Database db) {
        try (Rooms r = new Rooms(db)) {
            RoomVersion v = RoomVersions.get("11");
            String roomId = r.createRoom(ALICE, Map.of("room_version", "11", "preset", "public_chat"));
            r.rs.join(BOB, roomId, Optional.empty());
            r.rs.join(MALLORY, roomId, Optional.empty());
            String fork = head(db, r, roomId);
            ObjectNode aliceMessage = event(r, v, roomId, ALICE.userId(), "m.room.message", Map.of("body", "keep me"), fork, null);
            ObjectNode bobMessage = event(r, v, roomId, BOB.userId(), "m.room.message", Map.of("body", "bob's"), fork, null);
            String aliceId = EventIds.eventId(v, aliceMessage);
            String bobId = EventIds.eventId(v, bobMessage);
            // mallory (another server, power level 0) redacts alice's event; bob (alice's server, level 0) redacts bob's own
            ObjectNode byMallory = event(r, v, roomId, MALLORY.userId(), "m.room.redaction", Map.of("redacts", aliceId), fork, null);
            ObjectNode byBob = event(r, v, roomId, BOB.userId(), "m.room.redaction", Map.of("redacts", bobId), fork, null);
            assertThat(r.rs.receiveEvent(byMallory)).isTrue();
            assertThat(r.rs.receiveEvent(byBob)).isTrue();
            assertThat(r.rs.receiveEvent(aliceMessage)).isTrue();
            assertThat(r.rs.receiveEvent(bobMessage)).isTrue();
            assertThat(r.rs.event(ALICE.userId(), roomId, aliceId).path("content").path("body").asString()).isEqualTo("keep me");
            assertThat(r.rs.event(ALICE.userId(), roomId, aliceId).path("unsigned").has("redacted_because")).isFalse();
            assertThat(r.rs.event(ALICE.userId(), roomId, bobId).path("content").isEmpty()).isTrue();
            // the same rule holds when the target came first
            String later = r.message(ALICE, roomId, "later");
            ObjectNode again = event(r, v, roomId, MALLORY.userId(), "m.room.redaction", Map.of("redacts", later), later, null);
            assertThat(r.rs.receiveEvent(again)).isTrue();
            assertThat(r.rs.event(ALICE.userId(), roomId, later).path("content").path("body").asString()).isEqualTo("later");
            // with the power to redact (level 50 here), another server's redaction applies, also before its target
            ObjectNode power = r.rs.stateContent(ALICE.userId(), roomId, "m.room.power_levels", "").deepCopy();
            ((ObjectNode) power.get("users")).put(MALLORY.userId(), 50);
            r.rs.send(ALICE, roomId, "m.room.power_levels", "", power, Optional.empty());
            String powered = head(db, r, roomId);
            ObjectNode late = event(r, v, roomId, ALICE.userId(), "m.room.message", Map.of("body", "mod me"), powered, null);
            String lateId = EventIds.eventId(v, late);
            assertThat(r.rs.receiveEvent(event(r, v, roomId, MALLORY.userId(), "m.room.redaction", Map.of("redacts", lateId), powered, null))).isTrue();
            assertThat(r.rs.receiveEvent(late)).isTrue();
            assertThat(r.rs.event(ALICE.userId(), roomId, lateId).path("content").isEmpty()).isTrue();
        }
    }

    @DatabaseTest
    void refusesWhatItCannotAcceptWithoutChangingAnything(Database db) {
        try (Rooms r = new Rooms(db)) {
            RoomVersion v = RoomVersions.get("11");
            String roomId = r.createRoom(ALICE, Map.of("room_version", "11", "preset", "public_chat"));
            String fork = head(db, r, roomId);
            r.rs.send(ALICE, roomId, "m.room.topic", "", Rooms.obj(Map.of("topic", "changed")), Optional.empty());
            List<Map.Entry<ObjectNode, String>> refused = List.of(
                    // the state changed since its prev event: that needs state resolution
                    Map.entry(event(r, v, roomId, ALICE.userId(), "m.room.message", Map.of("body", "x"), fork, null), "M_INVALID_PARAM"),
                    // bob is not in the room
                    Map.entry(event(r, v, roomId, BOB.userId(), "m.room.message", Map.of("body", "x"), head(db, r, roomId), null), "M_FORBIDDEN"),
                    // too large
                    Map.entry(event(r, v, roomId, ALICE.userId(), "m.room.message", Map.of("body", "x".repeat(70_000)), head(db, r, roomId), null),
                            "M_TOO_LARGE"));
            String before = head(db, r, roomId);
            for (Map.Entry<ObjectNode, String> e : refused) {
                assertThatThrownBy(() -> r.rs.receiveEvent(e.getKey())).isInstanceOfSatisfying(MatrixException.class,
                        ex -> assertThat(ex.errcode()).isEqualTo(e.getValue()));
            }
            ObjectNode state = event(r, v, roomId, ALICE.userId(), "m.room.topic", Map.of("topic", "t"), before, null);
            state.put("state_key", "");
            assertThatThrownBy(() -> r.rs.receiveEvent(state)).isInstanceOf(MatrixException.class);
            assertThat(head(db, r, roomId)).isEqualTo(before);
        }
    }
}
