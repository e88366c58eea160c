package dev.myelin.protocol.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.crypto.UnpaddedBase64;
import dev.myelin.protocol.id.EventId;
import dev.myelin.protocol.id.RoomId;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.room.RoomVersions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Event IDs per room version, reference and content hashes, v12 room IDs. */
class EventIdsTest {

    private static ObjectNode json(String s) {
        return (ObjectNode) ProtocolJson.parseLenient(s);
    }

    private static final String EVENT = """
            {"type":"m.room.message","room_id":"!r:x","sender":"@u:x","origin_server_ts":1,"depth":2,
             "prev_events":[],"auth_events":[],"content":{"body":"hello"},"hashes":{"sha256":"abc"},
             "signatures":{"x":{"ed25519:1":"sig"}},"unsigned":{"age":3}}""";

    @Test
    void v1AndV2TakeTheEventIdField() {
        assertThat(EventIds.eventId(RoomVersions.V1, json("{\"event_id\":\"$a:x\"}"))).isEqualTo("$a:x");
        assertThat(EventIds.eventId(RoomVersions.V2, json("{\"event_id\":\"$b:y\"}"))).isEqualTo("$b:y");
        assertThatThrownBy(() -> EventIds.eventId(RoomVersions.V1, json("{}"))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void laterVersionsHashTheRedactedEventWithoutSignaturesOrUnsigned() throws Exception {
        // computed by hand: the redacted v3 event without signatures/unsigned, as canonical JSON
        String expectedRedacted = "{\"auth_events\":[],\"content\":{},\"depth\":2,\"hashes\":{\"sha256\":\"abc\"},"
                + "\"origin_server_ts\":1,\"prev_events\":[],\"room_id\":\"!r:x\",\"sender\":\"@u:x\",\"type\":\"m.room.message\"}";
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(expectedRedacted.getBytes(StandardCharsets.UTF_8));
        assertThat(EventHashes.referenceHash(RoomVersions.V3, json(EVENT))).isEqualTo(hash);
        assertThat(EventIds.eventId(RoomVersions.V3, json(EVENT))).isEqualTo("$" + UnpaddedBase64.encode(hash));
        assertThat(EventIds.eventId(RoomVersions.V4, json(EVENT))).isEqualTo("$" + UnpaddedBase64.encodeUrlSafe(hash));
        assertThat(EventIds.eventId(RoomVersions.V11, json(EVENT))).isEqualTo("$" + UnpaddedBase64.encodeUrlSafe(hash));
        EventId.parse(RoomVersions.V3, EventIds.eventId(RoomVersions.V3, json(EVENT)));
        EventId.parse(RoomVersions.V10, EventIds.eventId(RoomVersions.V10, json(EVENT)));
    }

    @Test
    void eventIdIgnoresWhatRedactionRemoves() {
        ObjectNode a = json(EVENT);
        ObjectNode b = json(EVENT);
        ((ObjectNode) b.get("content")).put("body", "changed");
        b.put("unsigned", "x");
        ((ObjectNode) b.get("signatures")).putObject("y");
        assertThat(EventIds.eventId(RoomVersions.V10, a)).isEqualTo(EventIds.eventId(RoomVersions.V10, b));
        b.put("depth", 3);
        assertThat(EventIds.eventId(RoomVersions.V10, a)).isNotEqualTo(EventIds.eventId(RoomVersions.V10, b));
    }

    @Test
    void v12RoomIdIsTheCreateEventIdWithABang() {
        ObjectNode create = json("""
                {"type":"m.room.create","state_key":"","sender":"@u:x","origin_server_ts":1,"depth":1,
                 "prev_events":[],"auth_events":[],"content":{"room_version":"12"},"hashes":{"sha256":"abc"}}""");
        String eventId = EventIds.eventId(RoomVersions.V12, create);
        String roomId = EventIds.roomIdOfCreateEvent(RoomVersions.V12, create);
        assertThat(roomId).isEqualTo("!" + eventId.substring(1));
        assertThat(RoomId.parse(RoomVersions.V12, roomId).createEventId().value()).isEqualTo(eventId);
        assertThatThrownBy(() -> EventIds.roomIdOfCreateEvent(RoomVersions.V11, create)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> EventIds.roomIdOfCreateEvent(RoomVersions.V12, json(EVENT))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void contentHashCoversEverythingButUnsignedSignaturesAndHashes() throws Exception {
        ObjectNode event = json(EVENT);
        String expected = "{\"auth_events\":[],\"content\":{\"body\":\"hello\"},\"depth\":2,\"origin_server_ts\":1,"
                + "\"prev_events\":[],\"room_id\":\"!r:x\",\"sender\":\"@u:x\",\"type\":\"m.room.message\"}";
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(expected.getBytes(StandardCharsets.UTF_8));
        assertThat(EventHashes.contentHash(event)).isEqualTo(hash);
        assertThat(EventHashes.contentHashMatches(event)).isFalse();
        ((ObjectNode) event.get("hashes")).put("sha256", UnpaddedBase64.encode(hash));
        assertThat(EventHashes.contentHashMatches(event)).isTrue();
        ((ObjectNode) event.get("content")).put("body", "changed");
        assertThat(EventHashes.contentHashMatches(event)).isFalse();
    }

    @Test
    void contentHashCheckExplainsMalformedHashes() {
        assertThatThrownBy(() -> EventHashes.contentHashMatches(json("{}"))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("hashes");
        assertThatThrownBy(() -> EventHashes.contentHashMatches(json("{\"hashes\":{\"sha256\":1}}")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("sha256");
        assertThatThrownBy(() -> EventHashes.contentHashMatches(json("{\"hashes\":{\"sha256\":\"!!\"}}")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("base64");
        assertThat(EventHashes.contentHashMatches(json("{\"hashes\":{\"sha256\":\"abcd\"}}"))).isFalse();
    }
}
