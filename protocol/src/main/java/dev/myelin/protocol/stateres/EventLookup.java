package dev.myelin.protocol.stateres;

import dev.myelin.protocol.event.Pdu;

/** Where state resolution reads events from: the state sets' events and their auth chains, by event ID. */
@FunctionalInterface
public interface EventLookup {

    /** The event with this ID, or {@code null} when the caller does not have it (resolution then fails). */
    Pdu get(String eventId);
}
