package dev.myelin.protocol.crypto;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.event.EventHashes;
import dev.myelin.protocol.event.EventIds;
import dev.myelin.protocol.event.EventLimits;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.event.Redaction;
import dev.myelin.protocol.id.EventId;
import dev.myelin.protocol.id.RoomId;
import dev.myelin.protocol.id.UserId;
import dev.myelin.protocol.room.RoomVersion;
import tools.jackson.databind.node.ObjectNode;

/**
 * The checks on a received PDU that need no room state (server-server API "Checks performed on receipt of a
 * PDU", steps 1–3): it is a valid event of its room version and within the size limits, it carries every
 * signature it needs, and its content hash matches; if the hash does not match, the redacted event is used.
 * Authorisation (steps 4–6) is the auth rules' business.
 */
public final class PduChecks {

    /**
     * A PDU that passed the checks.
     *
     * @param pdu        the event to use: the received one, or its redacted form when the content hash failed
     * @param redacted   whether the content hash failed and {@code pdu} is the redacted form
     */
    public record Checked(Pdu pdu, boolean redacted) {}

    private PduChecks() {}

    /**
     * Runs the checks on {@code json}, an event in federation format already parsed by the rules of
     * {@code version} ({@link dev.myelin.protocol.json.ProtocolJson#parseObject}). Throws a
     * {@link ProtocolException} (a {@link SignatureException} for signatures) when the event must be dropped.
     */
    public static Checked check(RoomVersion version, ObjectNode json, KeyRing keys) {
        EventLimits.check(json);
        String eventId = EventIds.eventId(version, json);
        Pdu pdu = Pdu.parse(version, eventId, json);
        checkIdentifiers(version, pdu);
        EventSigning.verify(version, json, keys);
        if (EventHashes.contentHashMatches(json)) return new Checked(pdu, false);
        return new Checked(Pdu.parse(version, eventId, Redaction.redact(version, json)), true);
    }

    private static void checkIdentifiers(RoomVersion version, Pdu pdu) {
        UserId.parse(pdu.sender());
        EventId.parse(version, pdu.eventId());
        RoomId.parse(version, pdu.roomId());
        for (String id : pdu.prevEventIds()) EventId.parse(version, id);
        for (String id : pdu.authEventIds()) EventId.parse(version, id);
        if (pdu.depth() < 0) throw new ProtocolException("depth must not be negative");
    }
}
