package dev.myelin.protocol.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.protocol.event.EventHashes;
import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.room.RoomVersions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The spec's event signing vectors, and which servers must sign an event. */
class EventSigningTest {

    private static final SigningKey KEY = SignedJsonTest.SPEC_KEY;
    private static final KeyRing KEYS = KeyRing.of(Map.of("domain", Map.of("ed25519:1", VerifyKey.of(KEY))));

    private static ObjectNode json(String text) {
        return (ObjectNode) ProtocolJson.parseLenient(text);
    }

    @Test
    void signsTheMinimalEventAsTheSpecSays() {
        ObjectNode event = json("""
                {"room_id": "!x:domain", "sender": "@a:domain", "origin": "domain", "origin_server_ts": 1000000,
                 "signatures": {}, "hashes": {}, "type": "X", "content": {}, "prev_events": [], "auth_events": [],
                 "depth": 3, "unsigned": {"age_ts": 1000000}}""");
        ObjectNode signed = EventSigning.hashAndSign(RoomVersions.V1, event, "domain", KEY);
        assertThat(CanonicalJson.encodeToString(signed)).isEqualTo(CanonicalJson.encodeToString(json("""
                {"auth_events": [], "content": {}, "depth": 3,
                 "hashes": {"sha256": "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos"},
                 "origin": "domain", "origin_server_ts": 1000000, "prev_events": [], "room_id": "!x:domain",
                 "sender": "@a:domain",
                 "signatures": {"domain": {"ed25519:1": "KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg"}},
                 "type": "X", "unsigned": {"age_ts": 1000000}}""")));
        assertThat(EventHashes.contentHashMatches(signed)).isTrue();
    }

    @Test
    void signsTheRedactableEventAsTheSpecSays() {
        ObjectNode event = json("""
                {"content": {"body": "Here is the message content"}, "event_id": "$0:domain", "origin": "domain",
                 "origin_server_ts": 1000000, "type": "m.room.message", "room_id": "!r:domain", "sender": "@u:domain",
                 "signatures": {}, "unsigned": {"age_ts": 1000000}}""");
        ObjectNode signed = EventSigning.hashAndSign(RoomVersions.V1, event, "domain", KEY);
        assertThat(signed.at("/hashes/sha256").stringValue()).isEqualTo("onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g");
        assertThat(signed.at("/signatures/domain/ed25519:1").stringValue())
                .isEqualTo("Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA");
        assertThat(event.has("hashes")).as("the input is not changed").isFalse();
        EventSigning.verify(RoomVersions.V1, signed, KEYS);
    }

    @Test
    void signatureSurvivesRedactionButNotTamperingWithEssentialKeys() {
        ObjectNode event = json("""
                {"content": {"body": "hi"}, "room_id": "!r:domain", "sender": "@u:domain", "type": "m.room.message",
                 "origin_server_ts": 5, "depth": 1, "prev_events": [], "auth_events": []}""");
        ObjectNode signed = EventSigning.hashAndSign(RoomVersions.V11, event, "domain", KEY);
        EventSigning.verify(RoomVersions.V11, signed, KEYS);
        ObjectNode edited = signed.deepCopy();
        ((ObjectNode) edited.get("content")).put("body", "changed");
        EventSigning.verify(RoomVersions.V11, edited, KEYS); // content is not covered by the signature...
        assertThat(EventHashes.contentHashMatches(edited)).isFalse(); // ...but by the content hash
        ObjectNode forged = signed.deepCopy();
        forged.put("depth", 2);
        assertThatThrownBy(() -> EventSigning.verify(RoomVersions.V11, forged, KEYS))
                .isInstanceOf(SignatureException.class).hasMessageContaining("bad signature by domain ed25519:1");
    }

    @Test
    void requiresSenderServerAndV1EventIdServer() {
        ObjectNode event = json("""
                {"event_id": "$abc:other.org", "sender": "@u:domain", "type": "m.room.message", "content": {}}""");
        assertThat(EventSigning.requiredSigners(RoomVersions.V1, event)).containsExactly("domain", "other.org");
        assertThat(EventSigning.requiredSigners(RoomVersions.V3, event)).containsExactly("domain");
    }

    @Test
    void requiresTheAuthorisingServerOfARestrictedJoin() {
        ObjectNode join = json("""
                {"sender": "@u:domain", "type": "m.room.member", "state_key": "@u:domain",
                 "content": {"membership": "join", "join_authorised_via_users_server": "@admin:resident.org"}}""");
        assertThat(EventSigning.requiredSigners(RoomVersions.V8, join)).containsExactly("domain", "resident.org");
        assertThat(EventSigning.requiredSigners(RoomVersions.V7, join)).containsExactly("domain");
        ((ObjectNode) join.get("content")).put("membership", "leave");
        assertThat(EventSigning.requiredSigners(RoomVersions.V12, join)).as("the auth rules ask for any membership")
                .containsExactly("domain", "resident.org");
        ((ObjectNode) join.get("content")).put("join_authorised_via_users_server", "not a user");
        assertThatThrownBy(() -> EventSigning.requiredSigners(RoomVersions.V9, join))
                .isInstanceOf(dev.myelin.protocol.ProtocolException.class);
    }

    @Test
    void doesNotRequireTheSenderServerForAThirdPartyInvite() {
        ObjectNode invite = json("""
                {"sender": "@u:domain", "type": "m.room.member", "state_key": "@v:else",
                 "content": {"membership": "invite", "third_party_invite": {"display_name": "x", "signed": {}}}}""");
        assertThat(EventSigning.requiredSigners(RoomVersions.V10, invite)).isEmpty();
    }

    @Test
    void enforcesKeyValidityFromRoomVersion5() {
        ObjectNode event = json("""
                {"content": {}, "room_id": "!r:domain", "sender": "@u:domain", "type": "m.room.message",
                 "origin_server_ts": 2000, "depth": 1, "prev_events": [], "auth_events": []}""");
        KeyRing expiring = KeyRing.of(Map.of("domain", Map.of("ed25519:1", VerifyKey.ed25519(KEY.publicKey(), 1999))));
        EventSigning.verify(RoomVersions.V4, EventSigning.hashAndSign(RoomVersions.V4, event, "domain", KEY), expiring);
        ObjectNode v5 = EventSigning.hashAndSign(RoomVersions.V5, event, "domain", KEY);
        assertThatThrownBy(() -> EventSigning.verify(RoomVersions.V5, v5, expiring))
                .isInstanceOf(SignatureException.class).hasMessageContaining("expired");
    }
}
