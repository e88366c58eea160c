package dev.myelin.protocol.event;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersion.EventFormat;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A persistent data unit (a room event in federation format), parsed for the fields the protocol works with.
 * The original JSON stays in {@link #json()} for hashing, signing and redaction; the other fields are read from
 * it once. Its event ID is given by the caller (v3+ IDs are computed from the reference hash).
 *
 * @param eventId        the event ID
 * @param roomVersion    the version of the room the event belongs to
 * @param json           the whole event as received (do not mutate)
 * @param roomId         the room ID; for a v12 create event (which has no {@code room_id}) derived from its event ID
 * @param sender         the sender's user ID
 * @param type           the event type
 * @param stateKey       the state key, or {@code null} for a non-state event
 * @param content        the content object
 * @param prevEventIds   the IDs of the previous events
 * @param authEventIds   the IDs of the auth events
 * @param depth          the depth
 * @param originServerTs the origin server timestamp in milliseconds
 * @param redacts        for {@code m.room.redaction}, the ID of the redacted event (top level before v11,
 *                       content from v11), else {@code null}
 */
public record Pdu(
        String eventId,
        RoomVersion roomVersion,
        ObjectNode json,
        String roomId,
        String sender,
        String type,
        String stateKey,
        ObjectNode content,
        List<String> prevEventIds,
        List<String> authEventIds,
        long depth,
        long originServerTs,
        String redacts) {

    public static final String CREATE = "m.room.create";
    public static final String MEMBER = "m.room.member";
    public static final String POWER_LEVELS = "m.room.power_levels";
    public static final String JOIN_RULES = "m.room.join_rules";
    public static final String THIRD_PARTY_INVITE = "m.room.third_party_invite";
    public static final String REDACTION = "m.room.redaction";
    public static final String ALIASES = "m.room.aliases";
    public static final String HISTORY_VISIBILITY = "m.room.history_visibility";

    /**
     * Reads a PDU of the given room version. Throws a {@link ProtocolException} naming the field when a required
     * field is missing or of the wrong type.
     */
    public static Pdu parse(RoomVersion version, String eventId, ObjectNode json) {
        String type = requiredString(json, "type");
        String sender = requiredString(json, "sender");
        String stateKey = optionalString(json, "state_key");
        String roomId;
        if (version.roomIdFromCreateEvent() && CREATE.equals(type) && "".equals(stateKey)) {
            if (json.has("room_id")) throw new ProtocolException("a create event in room version " + version.id() + " has no room_id");
            if (eventId == null || !eventId.startsWith("$") || eventId.length() < 2) {
                throw new ProtocolException("a create event in room version " + version.id() + " needs its event ID to derive the room ID");
            }
            roomId = "!" + eventId.substring(1);
        } else {
            roomId = requiredString(json, "room_id");
        }
        JsonNode contentNode = json.get("content");
        if (!(contentNode instanceof ObjectNode content)) throw new ProtocolException("content must be an object");
        List<String> prev = references(version, json, "prev_events");
        List<String> auth = references(version, json, "auth_events");
        long depth = requiredInteger(json, "depth");
        long ts = requiredInteger(json, "origin_server_ts");
        String redacts = null;
        if (REDACTION.equals(type)) {
            redacts = version.redactsInContent() ? optionalString(content, "redacts") : optionalString(json, "redacts");
        }
        return new Pdu(eventId, version, json, roomId, sender, type, stateKey, content,
                List.copyOf(prev), List.copyOf(auth), depth, ts, redacts);
    }

    /** Whether this is a state event (it has a state key, possibly empty). */
    public boolean isState() {
        return stateKey != null;
    }

    /** Whether this is a state event of the given type and state key. */
    public boolean isState(String eventType, String key) {
        return type.equals(eventType) && key.equals(stateKey);
    }

    /** The server part of the sender's user ID. */
    public String senderServer() {
        int colon = sender.indexOf(':');
        return colon < 0 ? "" : sender.substring(colon + 1);
    }

    @Override
    public String toString() {
        return "Pdu[" + eventId + " " + type + (stateKey == null ? "" : " state_key=" + stateKey) + "]";
    }

    private static List<String> references(RoomVersion version, ObjectNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || !node.isArray()) throw new ProtocolException(field + " must be an array");
        var ids = new ArrayList<String>(node.size());
        for (JsonNode entry : node) {
            if (version.eventFormat() == EventFormat.V1) {
                // why: v1–2 references are [event_id, {hash algorithm: hash}] pairs
                if (!entry.isArray() || entry.size() < 1 || !entry.get(0).isString()) {
                    throw new ProtocolException(field + " entries must be [event_id, hashes] pairs in room version " + version.id());
                }
                ids.add(entry.get(0).stringValue());
            } else {
                if (!entry.isString()) throw new ProtocolException(field + " entries must be event IDs");
                ids.add(entry.stringValue());
            }
        }
        return ids;
    }

    private static String requiredString(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || !node.isString()) throw new ProtocolException(field + " must be a string");
        return node.stringValue();
    }

    private static String optionalString(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) return null;
        if (!node.isString()) throw new ProtocolException(field + " must be a string");
        return node.stringValue();
    }

    private static long requiredInteger(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new ProtocolException(field + " must be an integer");
        }
        return node.longValue();
    }
}
