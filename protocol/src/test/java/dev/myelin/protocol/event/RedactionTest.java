package dev.myelin.protocol.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

/** What each room version's redaction algorithm keeps, as a table per event type. */
class RedactionTest {

    private static final String TOP = "\"event_id\":\"$e:x\",\"room_id\":\"!r:x\",\"sender\":\"@u:x\",\"depth\":1,"
            + "\"origin_server_ts\":2,\"hashes\":{\"sha256\":\"h\"},\"signatures\":{\"x\":{}},\"prev_events\":[],"
            + "\"auth_events\":[],\"origin\":\"x\",\"membership\":\"join\",\"prev_state\":[],\"unsigned\":{\"age\":1},"
            + "\"age_ts\":5,\"redacts\":\"$r:x\",\"other\":true,\"state_key\":\"\"";

    private static String redacted(RoomVersion version, String type, String content) {
        ObjectNode event = (ObjectNode) ProtocolJson.parseLenient("{" + TOP + ",\"type\":\"" + type + "\",\"content\":" + content + "}");
        return CanonicalJson.encodeToString(Redaction.redact(version, event).get("content"));
    }

    static Stream<Arguments> contentTable() {
        String member = "{\"membership\":\"join\",\"join_authorised_via_users_server\":\"@a:x\",\"displayname\":\"d\","
                + "\"third_party_invite\":{\"display_name\":\"n\",\"signed\":{\"token\":\"t\"}}}";
        String create = "{\"creator\":\"@u:x\",\"room_version\":\"1\",\"m.federate\":false}";
        String joinRules = "{\"join_rule\":\"restricted\",\"allow\":[{\"type\":\"m.room_membership\"}],\"x\":1}";
        String powerLevels = "{\"ban\":1,\"events\":{},\"events_default\":2,\"invite\":3,\"kick\":4,\"redact\":5,"
                + "\"state_default\":6,\"users\":{},\"users_default\":7,\"notifications\":{\"room\":8}}";
        String aliases = "{\"aliases\":[\"#a:x\"],\"x\":1}";
        String history = "{\"history_visibility\":\"shared\",\"x\":1}";
        String redaction = "{\"redacts\":\"$r:x\",\"reason\":\"r\"}";
        String v1PowerLevels = "{\"ban\":1,\"events\":{},\"events_default\":2,\"kick\":4,\"redact\":5,\"state_default\":6,\"users\":{},\"users_default\":7}";
        String v11PowerLevels = "{\"ban\":1,\"events\":{},\"events_default\":2,\"invite\":3,\"kick\":4,\"redact\":5,\"state_default\":6,\"users\":{},\"users_default\":7}";
        return Stream.of(
                // member
                Arguments.of(RoomVersions.V1, "m.room.member", member, "{\"membership\":\"join\"}"),
                Arguments.of(RoomVersions.V8, "m.room.member", member, "{\"membership\":\"join\"}"),
                Arguments.of(RoomVersions.V9, "m.room.member", member, "{\"join_authorised_via_users_server\":\"@a:x\",\"membership\":\"join\"}"),
                Arguments.of(RoomVersions.V10, "m.room.member", member, "{\"join_authorised_via_users_server\":\"@a:x\",\"membership\":\"join\"}"),
                Arguments.of(RoomVersions.V11, "m.room.member", member,
                        "{\"join_authorised_via_users_server\":\"@a:x\",\"membership\":\"join\",\"third_party_invite\":{\"signed\":{\"token\":\"t\"}}}"),
                Arguments.of(RoomVersions.V11, "m.room.member", "{\"membership\":\"invite\",\"third_party_invite\":{\"display_name\":\"n\"}}",
                        "{\"membership\":\"invite\"}"),
                Arguments.of(RoomVersions.V12, "m.room.member", member,
                        "{\"join_authorised_via_users_server\":\"@a:x\",\"membership\":\"join\",\"third_party_invite\":{\"signed\":{\"token\":\"t\"}}}"),
                // create
                Arguments.of(RoomVersions.V1, "m.room.create", create, "{\"creator\":\"@u:x\"}"),
                Arguments.of(RoomVersions.V10, "m.room.create", create, "{\"creator\":\"@u:x\"}"),
                Arguments.of(RoomVersions.V11, "m.room.create", create, "{\"creator\":\"@u:x\",\"m.federate\":false,\"room_version\":\"1\"}"),
                Arguments.of(RoomVersions.V12, "m.room.create", create, "{\"creator\":\"@u:x\",\"m.federate\":false,\"room_version\":\"1\"}"),
                // join rules
                Arguments.of(RoomVersions.V7, "m.room.join_rules", joinRules, "{\"join_rule\":\"restricted\"}"),
                Arguments.of(RoomVersions.V8, "m.room.join_rules", joinRules, "{\"allow\":[{\"type\":\"m.room_membership\"}],\"join_rule\":\"restricted\"}"),
                Arguments.of(RoomVersions.V11, "m.room.join_rules", joinRules, "{\"allow\":[{\"type\":\"m.room_membership\"}],\"join_rule\":\"restricted\"}"),
                // power levels
                Arguments.of(RoomVersions.V1, "m.room.power_levels", powerLevels, v1PowerLevels),
                Arguments.of(RoomVersions.V10, "m.room.power_levels", powerLevels, v1PowerLevels),
                Arguments.of(RoomVersions.V11, "m.room.power_levels", powerLevels, v11PowerLevels),
                // aliases
                Arguments.of(RoomVersions.V5, "m.room.aliases", aliases, "{\"aliases\":[\"#a:x\"]}"),
                Arguments.of(RoomVersions.V6, "m.room.aliases", aliases, "{}"),
                // history visibility
                Arguments.of(RoomVersions.V1, "m.room.history_visibility", history, "{\"history_visibility\":\"shared\"}"),
                Arguments.of(RoomVersions.V12, "m.room.history_visibility", history, "{\"history_visibility\":\"shared\"}"),
                // redaction
                Arguments.of(RoomVersions.V10, "m.room.redaction", redaction, "{}"),
                Arguments.of(RoomVersions.V11, "m.room.redaction", redaction, "{\"redacts\":\"$r:x\"}"),
                // anything else
                Arguments.of(RoomVersions.V11, "m.room.message", "{\"body\":\"hi\",\"membership\":\"join\"}", "{}"),
                Arguments.of(RoomVersions.V1, "m.room.name", "{\"name\":\"n\"}", "{}"));
    }

    @ParameterizedTest(name = "v{0}: {1}")
    @MethodSource("contentTable")
    void keepsTheContentKeysOfTheVersion(RoomVersion version, String type, String content, String expected) {
        assertThat(redacted(version, type, content)).isEqualTo(expected);
    }

    @Test
    void keepsTheTopLevelKeysOfTheVersion() {
        ObjectNode event = (ObjectNode) ProtocolJson.parseLenient("{" + TOP + ",\"type\":\"m.room.message\",\"content\":{}}");
        assertThat(Redaction.redact(RoomVersions.V1, event).propertyNames()).containsExactlyInAnyOrder(
                "event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
                "prev_events", "prev_state", "auth_events", "origin", "origin_server_ts", "membership");
        assertThat(Redaction.redact(RoomVersions.V10, event).propertyNames()).contains("origin", "membership", "prev_state");
        for (RoomVersion v : new RoomVersion[] {RoomVersions.V11, RoomVersions.V12}) {
            assertThat(Redaction.redact(v, event).propertyNames()).containsExactlyInAnyOrder(
                    "event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
                    "prev_events", "auth_events", "origin_server_ts");
        }
    }

    @Test
    void copiesSoTheInputIsUntouched() {
        ObjectNode event = (ObjectNode) ProtocolJson.parseLenient(
                "{\"type\":\"m.room.member\",\"content\":{\"membership\":\"join\",\"x\":1},\"signatures\":{\"a\":{}}}");
        String before = CanonicalJson.encodeToString(event);
        ObjectNode redacted = Redaction.redact(RoomVersions.V11, event);
        ((ObjectNode) redacted.get("signatures")).putObject("b");
        ((ObjectNode) redacted.get("content")).put("membership", "leave");
        assertThat(CanonicalJson.encodeToString(event)).isEqualTo(before);
    }

    @Test
    void givesEmptyContentForMalformedEvents() {
        ObjectNode noContent = (ObjectNode) ProtocolJson.parseLenient("{\"type\":\"m.room.member\"}");
        assertThat(CanonicalJson.encodeToString(Redaction.redact(RoomVersions.V1, noContent))).isEqualTo("{\"content\":{},\"type\":\"m.room.member\"}");
        ObjectNode badContent = (ObjectNode) ProtocolJson.parseLenient("{\"type\":5,\"content\":[1]}");
        assertThat(CanonicalJson.encodeToString(Redaction.redact(RoomVersions.V11, badContent))).isEqualTo("{\"content\":{},\"type\":5}");
    }
}
