package dev.myelin.syncapi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.http.MatrixException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The since token, pagination boundaries, filter parsing and matching, event_fields. */
class TokensAndFiltersTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void sinceTokensRoundTripKeepUnknownStreamsAndReadMissingOnesAsZero() {
        SyncToken token = new SyncToken(Map.of("r", 12L, "t", 3L, "zz", 7L));
        assertThat(token.encode()).isEqualTo("s_r12_t3_zz7");
        SyncToken back = SyncToken.parse(token.encode());
        assertThat(back).isEqualTo(token);
        assertThat(back.get("p")).isZero();
        assertThat(SyncToken.parse("s").positions()).isEmpty();
    }

    @Test
    void malformedTokensAreInvalidParams() {
        for (String bad : List.of("", "x_r1", "s_r", "s_1", "s_r1_r2", "s_r-1", "s_abcd1", "s_r99999999999999999999", "t", "tx")) {
            assertThatThrownBy(() -> {
                if (bad.startsWith("t")) SyncToken.parseBoundary(bad);
                else SyncToken.parse(bad);
            }).as(bad).isInstanceOf(MatrixException.class)
                    .satisfies(e -> assertThat(((MatrixException) e).errcode()).isEqualTo("M_INVALID_PARAM"));
        }
    }

    @Test
    void aSyncTokenAsPaginationBoundaryStartsAfterItsRoomPosition() {
        assertThat(SyncToken.parseBoundary("s_r41_t2")).isEqualTo(42);
        assertThat(SyncToken.parseBoundary("t17")).isEqualTo(17);
    }

    @Test
    void typeWildcardsMatchAnyRun() {
        assertThat(SyncFilter.typeMatches("m.room.*", "m.room.message")).isTrue();
        assertThat(SyncFilter.typeMatches("m.*.message", "m.room.message")).isTrue();
        assertThat(SyncFilter.typeMatches("m.room.*", "m.reaction")).isFalse();
        assertThat(SyncFilter.typeMatches("*", "anything")).isTrue();
        assertThat(SyncFilter.typeMatches("m.room.message", "m.room.message.x")).isFalse();
        assertThat(SyncFilter.typeMatches("a*a", "a")).isFalse();
    }

    @Test
    void eventFiltersCombineTheirFields() {
        SyncFilter.EventFilter f = SyncFilter.eventFilter((ObjectNode) JSON.readTree(
                "{\"types\":[\"m.room.*\"],\"not_types\":[\"m.room.member\"],\"senders\":[\"@a:x\"],"
                        + "\"not_rooms\":[\"!b:x\"],\"contains_url\":false}"));
        assertThat(f.matches("!a:x", "m.room.message", "@a:x", false)).isTrue();
        assertThat(f.matches("!a:x", "m.room.member", "@a:x", false)).isFalse();
        assertThat(f.matches("!a:x", "m.room.message", "@b:x", false)).isFalse();
        assertThat(f.matches("!b:x", "m.room.message", "@a:x", false)).isFalse();
        assertThat(f.matches("!a:x", "m.room.message", "@a:x", true)).isFalse();
        assertThat(f.matchesEverything()).isFalse();
        assertThat(SyncFilter.DEFAULT.room().timeline().matchesEverything()).isTrue();
    }

    @Test
    void eventFieldsKeepOnlyTheNamedPathsWithEscapedDots() {
        ObjectNode event = (ObjectNode) JSON.readTree(
                "{\"type\":\"t\",\"sender\":\"@a:x\",\"content\":{\"body\":\"b\",\"m.x\":1,\"other\":2}}");
        assertThat(EventFields.apply(event, List.of("type", "content.body", "content.m\\.x")).toString())
                .isEqualTo("{\"type\":\"t\",\"content\":{\"body\":\"b\",\"m.x\":1}}");
        assertThat(EventFields.apply(event, List.of())).isSameAs(event);
    }
}
