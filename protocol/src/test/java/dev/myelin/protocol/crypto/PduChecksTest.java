package dev.myelin.protocol.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.event.EventIds;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The state-free checks on a received PDU: format, size, signatures, content hash. */
class PduChecksTest {

    private static final SigningKey KEY = SignedJsonTest.SPEC_KEY;
    private static final KeyRing KEYS = KeyRing.of(Map.of("example.org", Map.of("ed25519:1", VerifyKey.of(KEY))));
    private static final String PREV = "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg";

    private static ObjectNode message(RoomVersion version) {
        ObjectNode e = (ObjectNode) ProtocolJson.parseStrict("""
                {"type":"m.room.message","room_id":"!r:example.org","sender":"@u:example.org",
                 "origin_server_ts":1700000000000,"depth":5,"prev_events":["%s"],"auth_events":["%s"],
                 "content":{"body":"hello"}}""".formatted(PREV, PREV));
        return EventSigning.hashAndSign(version, e, "example.org", KEY);
    }

    @Test
    void acceptsAValidEvent() {
        ObjectNode json = message(RoomVersions.V10);
        PduChecks.Checked checked = PduChecks.check(RoomVersions.V10, json, KEYS);
        assertThat(checked.redacted()).isFalse();
        assertThat(checked.pdu().eventId()).isEqualTo(EventIds.eventId(RoomVersions.V10, json));
        assertThat(checked.pdu().content().get("body").stringValue()).isEqualTo("hello");
    }

    @Test
    void usesTheRedactedEventWhenTheContentHashFails() {
        ObjectNode json = message(RoomVersions.V10);
        ((ObjectNode) json.get("content")).put("body", "tampered");
        PduChecks.Checked checked = PduChecks.check(RoomVersions.V10, json, KEYS);
        assertThat(checked.redacted()).isTrue();
        assertThat(checked.pdu().content().isEmpty()).isTrue();
        assertThat(checked.pdu().eventId()).isEqualTo(EventIds.eventId(RoomVersions.V10, json));
    }

    @Test
    void dropsEventsWithBadSignaturesOrShape() {
        ObjectNode forged = message(RoomVersions.V10);
        forged.put("depth", 6);
        assertThatThrownBy(() -> PduChecks.check(RoomVersions.V10, forged, KEYS)).isInstanceOf(SignatureException.class);
        ObjectNode badPrev = message(RoomVersions.V10);
        badPrev.putArray("prev_events").add("$abc:example.org");
        assertThatThrownBy(() -> PduChecks.check(RoomVersions.V10, badPrev, KEYS)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("room version 10");
        ObjectNode badRoom = message(RoomVersions.V12);
        assertThatThrownBy(() -> PduChecks.check(RoomVersions.V12, badRoom, KEYS)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("room ID");
        ObjectNode noHashes = message(RoomVersions.V10);
        noHashes.remove("hashes");
        assertThatThrownBy(() -> PduChecks.check(RoomVersions.V10, noHashes, KEYS)).isInstanceOf(ProtocolException.class);
        ObjectNode big = message(RoomVersions.V10);
        ((ObjectNode) big.get("content")).put("body", "x".repeat(70_000));
        assertThatThrownBy(() -> PduChecks.check(RoomVersions.V10, big, KEYS)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("65536");
        ObjectNode badSender = message(RoomVersions.V10);
        badSender.put("sender", "nobody");
        assertThatThrownBy(() -> PduChecks.check(RoomVersions.V10, badSender, KEYS)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void acceptsAV12CreateEventWithoutRoomId() {
        ObjectNode create = (ObjectNode) ProtocolJson.parseStrict("""
                {"type":"m.room.create","state_key":"","sender":"@u:example.org","origin_server_ts":1,"depth":1,
                 "prev_events":[],"auth_events":[],"content":{"room_version":"12"}}""");
        ObjectNode signed = EventSigning.hashAndSign(RoomVersions.V12, create, "example.org", KEY);
        PduChecks.Checked checked = PduChecks.check(RoomVersions.V12, signed, KEYS);
        assertThat(checked.pdu().roomId()).isEqualTo(EventIds.roomIdOfCreateEvent(RoomVersions.V12, signed));
    }
}
