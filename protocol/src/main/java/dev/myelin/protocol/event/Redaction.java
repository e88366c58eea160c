package dev.myelin.protocol.event;

import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersion.RedactionAlgorithm;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The redaction algorithm of each room version (client-server API "Redactions" and the room version pages):
 * which top-level keys an event keeps, and which {@code content} keys each event type keeps. Signatures, the
 * reference hash and so event IDs are computed over the redacted form. Room version 12 uses v11's algorithm.
 */
public final class Redaction {

    private static final Set<String> KEYS_V1 = Set.of(
            "event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
            "prev_events", "prev_state", "auth_events", "origin", "origin_server_ts", "membership");
    // why: v11 stops protecting origin, membership and prev_state
    private static final Set<String> KEYS_V11 = Set.of(
            "event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
            "prev_events", "auth_events", "origin_server_ts");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Redaction() {}

    /** The redacted copy of {@code event}; shares nothing with it. */
    public static ObjectNode redact(RoomVersion version, ObjectNode event) {
        return redactedView(version, event).deepCopy();
    }

    /**
     * The redacted form of {@code event} as a new object that shares the kept values with {@code event} (no deep
     * copy): for hashing, signing and verifying. Neither may be mutated while the other is in use.
     */
    public static ObjectNode redactedView(RoomVersion version, ObjectNode event) {
        RedactionAlgorithm algorithm = version.redaction();
        Set<String> kept = algorithm.compareTo(RedactionAlgorithm.V11) >= 0 ? KEYS_V11 : KEYS_V1;
        ObjectNode out = NODES.objectNode();
        for (var entry : event.properties()) {
            String key = entry.getKey();
            if (key.equals("content") || !kept.contains(key)) continue;
            out.set(key, entry.getValue());
        }
        JsonNode type = event.get("type");
        JsonNode content = event.get("content");
        ObjectNode redactedContent = NODES.objectNode();
        if (content instanceof ObjectNode original && type != null && type.isString()) {
            keepContent(algorithm, type.stringValue(), original, redactedContent);
        }
        out.set("content", redactedContent);
        return out;
    }

    private static void keepContent(RedactionAlgorithm algorithm, String type, ObjectNode content, ObjectNode out) {
        boolean v8 = algorithm.compareTo(RedactionAlgorithm.V8) >= 0;
        boolean v9 = algorithm.compareTo(RedactionAlgorithm.V9) >= 0;
        boolean v11 = algorithm.compareTo(RedactionAlgorithm.V11) >= 0;
        switch (type) {
            case Pdu.MEMBER -> {
                copy(content, out, "membership");
                if (v9) copy(content, out, "join_authorised_via_users_server");
                if (v11 && content.get("third_party_invite") instanceof ObjectNode invite && invite.has("signed")) {
                    // why: v11 keeps third_party_invite, but only its signed part
                    out.putObject("third_party_invite").set("signed", invite.get("signed"));
                }
            }
            case Pdu.CREATE -> {
                if (v11) {
                    out.setAll(content);
                } else {
                    copy(content, out, "creator");
                }
            }
            case Pdu.JOIN_RULES -> {
                copy(content, out, "join_rule");
                if (v8) copy(content, out, "allow");
            }
            case Pdu.POWER_LEVELS -> {
                copy(content, out, "ban");
                copy(content, out, "events");
                copy(content, out, "events_default");
                if (v11) copy(content, out, "invite");
                copy(content, out, "kick");
                copy(content, out, "redact");
                copy(content, out, "state_default");
                copy(content, out, "users");
                copy(content, out, "users_default");
            }
            case Pdu.ALIASES -> {
                if (algorithm == RedactionAlgorithm.V1) copy(content, out, "aliases");
            }
            case Pdu.HISTORY_VISIBILITY -> copy(content, out, "history_visibility");
            case Pdu.REDACTION -> {
                if (v11) copy(content, out, "redacts");
            }
            default -> { }
        }
    }

    private static void copy(ObjectNode from, ObjectNode to, String key) {
        JsonNode value = from.get(key);
        if (value != null) to.set(key, value);
    }
}
