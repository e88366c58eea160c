package dev.myelin.roomserver.api;

import dev.myelin.protocol.event.Pdu;

/**
 * An event as the event store holds it: the PDU (its JSON stored once, never modified), its NID, and the
 * accepted redaction of it if any (the JSON is redacted when served, not when stored).
 */
public record StoredEvent(long eventNid, Pdu pdu, String redactedBy) {
    public String eventId() { return pdu.eventId(); }
    public String roomId() { return pdu.roomId(); }

    /**
     * The event as the auth rules and state reads must see it: the redacted form once a redaction was accepted
     * (e.g. a redacted power levels event keeps only the keys its room version's redaction keeps).
     */
    public Pdu effectivePdu() {
        if (redactedBy == null) return pdu;
        return Pdu.parse(pdu.roomVersion(), pdu.eventId(), dev.myelin.protocol.event.Redaction.redact(pdu.roomVersion(), pdu.json()));
    }
}
