package dev.myelin.protocol.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.room.RoomVersion.EventFormat;
import dev.myelin.protocol.room.RoomVersion.EventIdFormat;
import dev.myelin.protocol.room.RoomVersion.RedactionAlgorithm;
import dev.myelin.protocol.room.RoomVersion.StateResolutionAlgorithm;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every flag of every room version, checked against the spec's room version pages (one row per version). */
class RoomVersionsTest {

    private record Row(String id, EventFormat format, EventIdFormat ids, StateResolutionAlgorithm stateRes,
            RedactionAlgorithm redaction, String flags) {}

    // flags: enforceKeyValidity, specialCaseAliasesAuth, strictCanonicalJson, limitNotificationsPowerLevels,
    // knockJoinRule, restrictedJoinRule, knockRestrictedJoinRule, integerPowerLevels, creatorFromSender,
    // redactsInContent, roomIdFromCreateEvent, privilegedCreators
    private static final List<Row> SPEC = List.of(
            new Row("1", EventFormat.V1, EventIdFormat.SERVER_ASSIGNED, StateResolutionAlgorithm.V1, RedactionAlgorithm.V1, "010000000000"),
            new Row("2", EventFormat.V1, EventIdFormat.SERVER_ASSIGNED, StateResolutionAlgorithm.V2, RedactionAlgorithm.V1, "010000000000"),
            new Row("3", EventFormat.V2, EventIdFormat.REFERENCE_HASH_BASE64, StateResolutionAlgorithm.V2, RedactionAlgorithm.V1, "010000000000"),
            new Row("4", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE, StateResolutionAlgorithm.V2, RedactionAlgorithm.V1, "010000000000"),
            new Row("5", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE, StateResolutionAlgorithm.V2, RedactionAlgorithm.V1, "110000000000"),
            new Row("6", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE, StateResolutionAlgorithm.V2, RedactionAlgorithm.V6, "101100000000"),
            new Row("7", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE, StateResolutionAlgorithm.V2, RedactionAlgorithm.V6, "101110000000"),
            new Row("8", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE, StateResolutionAlgorithm.V2, RedactionAlgorithm.V8, "101111000000"),
            new Row("9", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE, StateResolutionAlgorithm.V2, RedactionAlgorithm.V9, "101111000000"),
            new Row("10", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE, StateResolutionAlgorithm.V2, RedactionAlgorithm.V9, "101111110000"),
            new Row("11", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE, StateResolutionAlgorithm.V2, RedactionAlgorithm.V11, "101111111100"),
            new Row("12", EventFormat.V2, EventIdFormat.REFERENCE_HASH_URL_SAFE, StateResolutionAlgorithm.V2_1, RedactionAlgorithm.V11, "101111111111"));

    @Test
    void everyVersionMatchesTheSpec() {
        assertThat(RoomVersions.all()).extracting(RoomVersion::id).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");
        for (Row row : SPEC) {
            RoomVersion v = RoomVersions.get(row.id());
            assertThat(v.eventFormat()).as("v%s event format", row.id()).isEqualTo(row.format());
            assertThat(v.eventIdFormat()).as("v%s event IDs", row.id()).isEqualTo(row.ids());
            assertThat(v.stateResolution()).as("v%s state res", row.id()).isEqualTo(row.stateRes());
            assertThat(v.redaction()).as("v%s redaction", row.id()).isEqualTo(row.redaction());
            boolean[] actual = {v.enforceKeyValidity(), v.specialCaseAliasesAuth(), v.strictCanonicalJson(),
                v.limitNotificationsPowerLevels(), v.knockJoinRule(), v.restrictedJoinRule(), v.knockRestrictedJoinRule(),
                v.integerPowerLevels(), v.creatorFromSender(), v.redactsInContent(), v.roomIdFromCreateEvent(),
                v.privilegedCreators()};
            var flags = new StringBuilder();
            for (boolean b : actual) flags.append(b ? '1' : '0');
            assertThat(flags.toString()).as("v%s flags", row.id()).isEqualTo(row.flags());
        }
    }

    @Test
    void unknownVersionsAreAProtocolError() {
        assertThat(RoomVersions.find("13")).isEmpty();
        assertThatThrownBy(() -> RoomVersions.get("org.example.custom")).isInstanceOf(ProtocolException.class);
        assertThat(RoomVersions.DEFAULT.id()).isEqualTo("12");
    }
}
