package dev.myelin.protocol.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.room.RoomVersions;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The appendices' identifier grammar, as tables of valid and invalid identifiers. */
class IdentifierGrammarTest {

    private static final String HASH = "Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg"; // the spec's example, 43 chars

    @ParameterizedTest
    @ValueSource(strings = {
        "matrix.org", "matrix.org:8888", "1.2.3.4", "1.2.3.4:1234", "[1234:5678::abcd]", "[1234:5678::abcd]:5678",
        "localhost", "localhost:1", "a", "MATRIX.ORG", "my-server.example.com", "[::1]", "[::]", "[::ffff:1.2.3.4]",
        "[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:1.2.3.4]:8448", "[ABCD::ef]", "xn--bcher-kva.example", "1.2.3", "123",
        "1.2.3.4.5", "host:65535", "host:99999", "0.0.0.0", "255.255.255.255"
    })
    void acceptsValidServerNames(String name) {
        assertThat(ServerName.parse(name).value()).isEqualTo(name);
        assertThat(ServerName.isValid(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", ":8448", "matrix.org:", "matrix.org:123456", "matrix.org:80a", "matrix.org:-1", "matrix org", "mätrix.org",
        "matrix_org", "[1234:5678::abcd", "1234:5678::abcd", "[1:2:3:4:5:6:7:8:9]", "[1::2::3]", "[g::1]",
        "[::1]x", "[::1]:", "[]", "[1:2:3:4:5:6:7]", "256.1.1.1", "1.2.3.999", "[::1.2.3.256]", ".matrix.org",
        "matrix.org.", "matrix..org", "a:b:c", "host:8448:1", "[12345::1]", "example.com/path"
    })
    void rejectsInvalidServerNames(String name) {
        assertThatThrownBy(() -> ServerName.parse(name)).isInstanceOf(ProtocolException.class);
        assertThat(ServerName.isValid(name)).isFalse();
    }

    @Test
    void rejectsOverlongDnsNames() {
        ServerName.parse("a".repeat(255));
        assertThatThrownBy(() -> ServerName.parse("a".repeat(256))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void splitsHostAndPort() {
        assertThat(ServerName.parse("matrix.org:8448").host()).isEqualTo("matrix.org");
        assertThat(ServerName.parse("matrix.org:8448").port()).isEqualTo(OptionalInt.of(8448));
        assertThat(ServerName.parse("[::1]:80").host()).isEqualTo("[::1]");
        assertThat(ServerName.parse("[::1]:80").port()).isEqualTo(OptionalInt.of(80));
        assertThat(ServerName.parse("[::1]").port()).isEmpty();
        assertThat(ServerName.parse("1.2.3.4").isIpLiteral()).isTrue();
        assertThat(ServerName.parse("[::1]").isIpLiteral()).isTrue();
        assertThat(ServerName.parse("example.org").isIpLiteral()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"@alice:example.org", "@a:b", "@0123456789abcdefghijklmnopqrstuvwxyz._=-/+:example.org",
        "@bob:[::1]:8448", "@bob:1.2.3.4"})
    void acceptsCurrentUserIds(String id) {
        UserId user = UserId.parseNew(id);
        assertThat(user.toString()).isEqualTo(id);
        assertThat(user.hasStrictLocalpart()).isTrue();
        assertThat(user.isCompliant()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"@Alice:example.org", "@alice!:example.org", "@:example.org", "@al ice:example.org",
        "@日本:example.org", "@a\u0001:example.org", "@a#b:example.org"})
    void acceptsHistoricalUserIdsFromRemoteServersOnly(String id) {
        UserId user = UserId.parse(id);
        assertThat(user.toString()).isEqualTo(id);
        assertThat(user.hasStrictLocalpart()).isFalse();
        assertThatThrownBy(() -> UserId.parseNew(id)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void splitsUserIdsAtTheFirstColon() {
        UserId user = UserId.parse("@alice:example.org:8448");
        assertThat(user.localpart()).isEqualTo("alice");
        assertThat(user.server().value()).isEqualTo("example.org:8448");
        assertThat(UserId.parse("@Alice!:example.org").isCompliant()).isTrue();
        assertThat(UserId.parse("@al ice:example.org").isCompliant()).isFalse();
        assertThat(UserId.parse("@:example.org").isCompliant()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice:example.org", "@alice", "@alice:", "@alice:exa mple.org", "@a\u0000b:example.org",
        "@a\uD800:example.org", "#alice:example.org", "", "@alice:example.org:"})
    void rejectsInvalidUserIds(String id) {
        assertThatThrownBy(() -> UserId.parse(id)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void limitsUserIdsTo255Bytes() {
        String server = ":example.org";
        String fits = "@" + "a".repeat(255 - 1 - server.length()) + server;
        assertThat(UserId.parse(fits).toString()).hasSize(255);
        assertThatThrownBy(() -> UserId.parse("@a" + fits.substring(1))).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("255 bytes");
        // bytes, not characters: 100 two-byte characters are 200 bytes
        String multibyte = "@" + "é".repeat(125) + server;
        assertThatThrownBy(() -> UserId.parse(multibyte)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> new UserId("a".repeat(250), ServerName.parse("example.org")))
                .isInstanceOf(ProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"!abc:example.org", "!AbC123:example.org:8448", "!:example.org", "!日本:example.org",
        "!" + HASH})
    void acceptsRoomIds(String id) {
        assertThat(RoomId.parse(id).value()).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc:example.org", "!abc", "!abc:", "!abc:bad host", "!a\u0000:example.org",
        "!" + "Rqnc+F/dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg", "!" + HASH + "A", "!qnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg", "$" + HASH, ""})
    void rejectsInvalidRoomIds(String id) {
        assertThatThrownBy(() -> RoomId.parse(id)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void checksTheRoomIdFormOfTheRoomVersion() {
        assertThat(RoomId.parse(RoomVersions.V12, "!" + HASH).isHashForm()).isTrue();
        assertThat(RoomId.parse(RoomVersions.V12, "!" + HASH).server()).isEmpty();
        assertThat(RoomId.parse(RoomVersions.V12, "!" + HASH).createEventId().value()).isEqualTo("$" + HASH);
        assertThatThrownBy(() -> RoomId.parse(RoomVersions.V12, "!abc:example.org")).isInstanceOf(ProtocolException.class);
        assertThat(RoomId.parse(RoomVersions.V11, "!abc:example.org").server().orElseThrow().value()).isEqualTo("example.org");
        assertThatThrownBy(() -> RoomId.parse(RoomVersions.V11, "!" + HASH)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void checksTheEventIdFormOfTheRoomVersion() {
        String v3 = "$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk";
        assertThat(EventId.parse(RoomVersions.V1, "$abc:example.org").server().orElseThrow().value()).isEqualTo("example.org");
        assertThat(EventId.parse(RoomVersions.V3, v3).server()).isEmpty();
        assertThatThrownBy(() -> EventId.parse(RoomVersions.V4, v3)).isInstanceOf(ProtocolException.class);
        assertThat(EventId.parse(RoomVersions.V4, "$" + HASH).value()).isEqualTo("$" + HASH);
        assertThatThrownBy(() -> EventId.parse(RoomVersions.V3, "$" + HASH)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> EventId.parse(RoomVersions.V2, "$" + HASH)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> EventId.parse(RoomVersions.V10, "$abc:example.org")).isInstanceOf(ProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc:example.org", "$", "$abc", "$abc:", "$" + HASH + "=", "$nc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg",
        "$a\u0000b:example.org", "!" + HASH, ""})
    void rejectsInvalidEventIds(String id) {
        assertThatThrownBy(() -> EventId.parse(id)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void limitsEventIdsTo255Bytes() {
        String server = ":example.org";
        EventId.parse("$" + "a".repeat(254 - server.length()) + server);
        assertThatThrownBy(() -> EventId.parse("$" + "a".repeat(255 - server.length()) + server))
                .isInstanceOf(ProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"#room:example.org", "#:example.org", "#Ünïcödé room!:example.org:8448", "#r:[::1]"})
    void acceptsRoomAliases(String alias) {
        assertThat(RoomAlias.parse(alias).toString()).isEqualTo(alias);
    }

    @ParameterizedTest
    @ValueSource(strings = {"room:example.org", "#room", "#room:", "#ro\u0000om:example.org", "#room:bad_host", "@room:example.org"})
    void rejectsInvalidRoomAliases(String alias) {
        assertThatThrownBy(() -> RoomAlias.parse(alias)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void limitsRoomAliasesTo255Bytes() {
        assertThatThrownBy(() -> RoomAlias.parse("#" + "r".repeat(250) + ":example.org")).isInstanceOf(ProtocolException.class);
    }
}
