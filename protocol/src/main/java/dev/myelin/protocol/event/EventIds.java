package dev.myelin.protocol.event;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.crypto.UnpaddedBase64;
import dev.myelin.protocol.room.RoomVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Event IDs by room version: chosen by the origin server and carried in {@code event_id} (v1–2), or {@code $} and
 * the reference hash in standard (v3) or URL-safe (v4+) unpadded base64; and v12 room IDs, which are the create
 * event's ID with the sigil {@code !}.
 */
public final class EventIds {

    private EventIds() {}

    /** The ID of {@code event} (in federation format) in a room of {@code version}. */
    public static String eventId(RoomVersion version, ObjectNode event) {
        return switch (version.eventIdFormat()) {
            case SERVER_ASSIGNED -> {
                JsonNode id = event.get("event_id");
                if (id == null || !id.isString()) {
                    throw new ProtocolException("event_id must be a string in room version " + version.id());
                }
                yield id.stringValue();
            }
            case REFERENCE_HASH_BASE64 -> "$" + UnpaddedBase64.encode(EventHashes.referenceHash(version, event));
            case REFERENCE_HASH_URL_SAFE -> "$" + UnpaddedBase64.encodeUrlSafe(EventHashes.referenceHash(version, event));
        };
    }

    /** The room ID a v12 create event makes: its event ID with {@code !} for {@code $}. */
    public static String roomIdOfCreateEvent(RoomVersion version, ObjectNode createEvent) {
        if (!version.roomIdFromCreateEvent()) {
            throw new ProtocolException("room version " + version.id() + " does not derive room IDs from the create event");
        }
        JsonNode type = createEvent.get("type");
        if (type == null || !type.isString() || !Pdu.CREATE.equals(type.stringValue())) {
            throw new ProtocolException("not an m.room.create event");
        }
        return "!" + eventId(version, createEvent).substring(1);
    }
}
