package dev.myelin.protocol.event;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.json.CanonicalJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The 64 KiB event limit and the 255-byte field limits. */
class EventLimitsTest {

    private static ObjectNode event() {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("type", "m.room.message");
        e.put("sender", "@u:example.org");
        e.put("room_id", "!r:example.org");
        e.putObject("content");
        return e;
    }

    @Test
    void acceptsAnEventOfExactly65536Bytes() {
        ObjectNode e = event();
        int base = CanonicalJson.encode(e).length + "\"body\":\"\"".length();
        ((ObjectNode) e.get("content")).put("body", "x".repeat(EventLimits.MAX_PDU_BYTES - base));
        assertThatCode(() -> EventLimits.check(e)).doesNotThrowAnyException();
        ((ObjectNode) e.get("content")).put("body", "x".repeat(EventLimits.MAX_PDU_BYTES - base + 1));
        assertThatThrownBy(() -> EventLimits.check(e)).isInstanceOf(ProtocolException.class).hasMessageContaining("65536");
    }

    @Test
    void countsBytesOfCanonicalJsonNotCharacters() {
        ObjectNode e = event();
        ((ObjectNode) e.get("content")).put("body", "é".repeat(33_000)); // 33,000 chars, 66,000 bytes
        assertThatThrownBy(() -> EventLimits.check(e)).isInstanceOf(ProtocolException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sender", "room_id", "event_id", "type", "state_key"})
    void limitsFieldsTo255Bytes(String field) {
        ObjectNode e = event();
        e.put(field, "a".repeat(255));
        assertThatCode(() -> EventLimits.check(e)).doesNotThrowAnyException();
        e.put(field, "a".repeat(256));
        assertThatThrownBy(() -> EventLimits.check(e)).isInstanceOf(ProtocolException.class).hasMessageContaining(field);
        e.put(field, "é".repeat(128)); // 256 bytes
        assertThatThrownBy(() -> EventLimits.checkFields(e)).isInstanceOf(ProtocolException.class);
    }
}
