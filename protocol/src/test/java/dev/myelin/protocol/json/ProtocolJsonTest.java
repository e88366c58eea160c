package dev.myelin.protocol.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.room.RoomVersions;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The strict (room v6+) and lenient (v1–5) parsers. */
class ProtocolJsonTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a\":1.5}", "{\"a\":1.0}", "{\"a\":1e2}", "{\"a\":1E2}", "[-0.0]",
        "[9007199254740992]", "[-9007199254740992]", "[123456789012345678901234567890]",
        "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":1}}"
    })
    void strictRejectsFloatsBigIntegersAndDuplicates(String json) {
        assertThatThrownBy(() -> ProtocolJson.parseStrict(json)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> ProtocolJson.parse(RoomVersions.V6, json)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void strictAcceptsTheSafeIntegerRange() {
        assertThat(ProtocolJson.parseStrict("[9007199254740991,-9007199254740991,-0,0]").get(0).longValue())
                .isEqualTo(9007199254740991L);
    }

    @Test
    void lenientAcceptsWhatOldRoomVersionsMayCarry() {
        assertThat(ProtocolJson.parseLenient("{\"a\":1.5,\"b\":123456789012345678901234567890}").get("a").doubleValue())
                .isEqualTo(1.5);
        assertThat(ProtocolJson.parse(RoomVersions.V5, "{\"a\":1e2}").get("a").doubleValue()).isEqualTo(100.0);
        // why: Python's json keeps the last of duplicate keys, and v1–5 events are read as Synapse reads them
        assertThat(ProtocolJson.parseLenient("{\"a\":1,\"a\":2}").get("a").intValue()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "{", "}", "{\"a\"}", "{\"a\":}", "[1,]", "[01]", "{'a':1}", "{\"a\":NaN}", "[Infinity]", "[-Infinity]",
        "{} {}", "{}x", "[1] 2", "{\"a\":\"\u0001\"}", "\"\\ud800\"", "[\"\\udc00x\"]", "{\"\\ud83d\":1}", "[1e400]",
        "/* c */ {}", "[True]", "nul", "\"\\x41\"", "[.5]", "[+1]", "[0x10]"
    })
    void bothRejectInvalidJson(String json) {
        assertThatThrownBy(() -> ProtocolJson.parseLenient(json)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> ProtocolJson.parseStrict(json)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void rejectsInvalidUtf8Bytes() {
        byte[] bad = {'"', (byte) 0xC3, '"'};
        assertThatThrownBy(() -> ProtocolJson.parseStrict(bad)).isInstanceOf(ProtocolException.class);
        byte[] overlong = {'"', (byte) 0xC0, (byte) 0xAF, '"'};
        assertThatThrownBy(() -> ProtocolJson.parseLenient(overlong)).isInstanceOf(ProtocolException.class);
        byte[] surrogate = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'};
        assertThatThrownBy(() -> ProtocolJson.parseLenient(surrogate)).isInstanceOf(ProtocolException.class);
        byte[] tooHigh = {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'};
        assertThatThrownBy(() -> ProtocolJson.parseLenient(tooHigh)).isInstanceOf(ProtocolException.class);
        byte[] truncated = {'"', 'a', (byte) 0xE2, (byte) 0x82};
        assertThatThrownBy(() -> ProtocolJson.parseLenient(truncated)).isInstanceOf(ProtocolException.class);
        byte[] fine = "\"é€😀\"".getBytes(StandardCharsets.UTF_8);
        assertThat(ProtocolJson.parseStrict(fine).stringValue()).isEqualTo("é€😀");
    }

    @Test
    void acceptsEscapedSurrogatePairs() {
        assertThat(ProtocolJson.parseStrict("\"\\ud83d\\ude00\"").stringValue()).isEqualTo("😀");
        assertThat(ProtocolJson.parseStrict("\"😀\"".getBytes(StandardCharsets.UTF_8)).stringValue()).isEqualTo("😀");
    }

    @Test
    void limitsNestingWithoutOverflowingTheStack() {
        String ok = "[".repeat(CanonicalJson.MAX_DEPTH) + "]".repeat(CanonicalJson.MAX_DEPTH);
        assertThat(ProtocolJson.parseStrict(ok).isArray()).isTrue();
        String tooDeep = "[".repeat(CanonicalJson.MAX_DEPTH + 1) + "]".repeat(CanonicalJson.MAX_DEPTH + 1);
        assertThatThrownBy(() -> ProtocolJson.parseStrict(tooDeep)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("nest");
        String huge = "{\"a\":".repeat(200_000) + "1" + "}".repeat(200_000);
        assertThatThrownBy(() -> ProtocolJson.parseLenient(huge)).isInstanceOf(ProtocolException.class);
        String unclosed = "[".repeat(1_000_000);
        assertThatThrownBy(() -> ProtocolJson.parseLenient(unclosed)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void parseObjectRequiresAnObject() {
        assertThatThrownBy(() -> ProtocolJson.parseObject(RoomVersions.V11, "[]"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("object");
        assertThat(ProtocolJson.parseObject(RoomVersions.V1, "{\"a\":1.5}").size()).isEqualTo(1);
    }

    @Test
    void requireStrictChecksTreesBuiltInCode() {
        var o = tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        o.put("ok", 1);
        ProtocolJson.requireStrict(o);
        o.put("f", 0.5);
        assertThatThrownBy(() -> ProtocolJson.requireStrict(o)).isInstanceOf(ProtocolException.class);
    }
}
