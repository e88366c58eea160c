package dev.myelin.syncapi.internal;

import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * What sync reads from the roomserver's event store (the only copy of event JSON): the few facts it indexes,
 * and the client form of an event when a response is built. The server wires it over the roomserver's
 * read-only {@code EventStore}; sync never stores what it returns.
 */
public interface RoomEventSource {

    /** The indexed facts of {@code eventId}, or empty if the store does not have it. */
    Optional<EventFacts> facts(String eventId);

    /**
     * The event in the client-server format (ClientEvent): redacted form once redacted, with
     * {@code unsigned.redacted_because}; a fresh object the caller may change. Empty if the store lacks it.
     */
    Optional<ObjectNode> clientEvent(long eventNid);

    /**
     * The event as the federation format has it (the PDU, redacted once redacted), for filters with
     * {@code event_format: federation}; a fresh object. Empty if the store lacks it.
     */
    Optional<ObjectNode> federationEvent(long eventNid);

    /**
     * Reads the given events ahead, in as few queries as the store can, so that the {@link #clientEvent} and
     * {@link #federationEvent} calls that follow find them in memory (a response built from many events).
     */
    default void preload(java.util.Collection<Long> eventNids) {}

    /**
     * The roomserver's room event stream position now: once sync has applied it, sync's index holds every event
     * the roomserver stored before this call (see {@link RoomIndexer#awaitCaughtUp}).
     */
    long streamPosition();

    /**
     * The rooms {@code userId} has forgotten ({@code POST /rooms/{roomId}/forget}) and not re-entered since: they
     * never appear in the user's {@code /sync}, and their history is no longer the user's to read. Asked outside
     * sync's transactions (the roomserver keeps the flag).
     */
    default java.util.Set<String> forgottenRooms(String userId) {
        return java.util.Set.of();
    }
}
