package dev.myelin.roomserver.api;

import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.event.Redaction;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a stored event into the client-server API's event format (ClientEvent): the federation-only fields
 * (hashes, signatures, auth and prev events, depth, origin) dropped, {@code event_id} and {@code room_id} always
 * present, the redacted form served once a redaction was accepted, with {@code unsigned.redacted_because}.
 */
public final class ClientEvents {
    private static final String[] KEPT = {"content", "origin_server_ts", "room_id", "sender", "state_key", "type", "redacts"};

    private ClientEvents() {}

    /**
     * The client form of {@code event}; {@code redactions} finds the redaction event named by
     * {@link StoredEvent#redactedBy()} (it may answer null if it is gone).
     */
    public static ObjectNode format(StoredEvent event, Function<String, StoredEvent> redactions) {
        return format(event, redactions, false);
    }

    /**
     * As {@link #format(StoredEvent, Function)}; with {@code senderErased} (the sender deactivated with erasure)
     * the event is served in its redacted form even though no redaction event names it.
     */
    public static ObjectNode format(StoredEvent event, Function<String, StoredEvent> redactions, boolean senderErased) {
        Pdu pdu = event.pdu();
        ObjectNode source = pdu.json();
        StoredEvent redaction = null;
        if (event.redactedBy() != null) {
            redaction = redactions.apply(event.redactedBy());
            source = Redaction.redact(pdu.roomVersion(), pdu.json());
        } else if (senderErased) {
            source = Redaction.redact(pdu.roomVersion(), pdu.json());
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (String key : KEPT) {
            JsonNode v = source.get(key);
            if (v != null) out.set(key, v.deepCopy());
        }
        if (!out.has("content")) out.set("content", JsonNodeFactory.instance.objectNode());
        out.put("event_id", pdu.eventId());
        out.put("room_id", pdu.roomId());
        if (Pdu.REDACTION.equals(pdu.type()) && pdu.redacts() != null && !out.has("redacts")) {
            // why: clients of room versions 11+ read content.redacts, older clients the top-level key; serve both
            out.put("redacts", pdu.redacts());
        }
        ObjectNode unsigned = JsonNodeFactory.instance.objectNode();
        if (redaction != null) {
            unsigned.set("redacted_because", format(redaction, redactions));
        }
        out.set("unsigned", unsigned);
        return out;
    }
}
