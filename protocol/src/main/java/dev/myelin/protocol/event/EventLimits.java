package dev.myelin.protocol.event;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.json.CanonicalJson;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The size limits on events (client-server API "Size limits"): the whole event in federation format, signatures
 * included, is at most 65,536 bytes of canonical JSON; {@code sender}, {@code room_id}, {@code event_id},
 * {@code type} and {@code state_key} are each at most 255 bytes.
 */
public final class EventLimits {

    public static final int MAX_PDU_BYTES = 65_536;
    public static final int MAX_FIELD_BYTES = 255;
    private static final String[] LIMITED_FIELDS = {"sender", "room_id", "event_id", "type", "state_key"};

    private EventLimits() {}

    /** Checks every limit; throws a {@link ProtocolException} naming the first one {@code event} breaks. */
    public static void check(ObjectNode event) {
        checkFields(event);
        int size = CanonicalJson.encode(event).length;
        if (size > MAX_PDU_BYTES) {
            throw new ProtocolException("event is " + size + " bytes of canonical JSON, more than " + MAX_PDU_BYTES);
        }
    }

    /** Checks the per-field limits only (cheap); for when the caller already knows the encoded size. */
    public static void checkFields(ObjectNode event) {
        for (String field : LIMITED_FIELDS) {
            JsonNode value = event.get(field);
            if (value != null && value.isString()) {
                String s = value.stringValue();
                // why: a string of at most 85 chars is at most 255 bytes; skip encoding the common case
                if (s.length() > MAX_FIELD_BYTES / 3 && s.getBytes(StandardCharsets.UTF_8).length > MAX_FIELD_BYTES) {
                    throw new ProtocolException(field + " is longer than " + MAX_FIELD_BYTES + " bytes");
                }
            }
        }
    }
}
