package dev.myelin.roomserver.api;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only access to the room graph's events for other components (sync keeps its own indexes, never a second
 * copy of the JSON). Events are immutable; only {@link StoredEvent#redactedBy()} may appear later.
 */
public interface EventStore {

    Optional<StoredEvent> event(String eventId);

    Optional<StoredEvent> event(long eventNid);

    /**
     * The events of {@code eventNids} that the store has, by NID, read with one query for those not cached. Why: a
     * response built from many events (an initial sync) would otherwise make one round trip per event.
     */
    Map<Long, StoredEvent> events(Collection<Long> eventNids);

    /**
     * The {@link OutputRoomEvent} stream position of the newest stored event (each stored event has exactly one
     * record, written in its transaction): a consumer that has applied this position has seen every event stored
     * before this call.
     */
    long outputPosition();

    /**
     * The rooms {@code userId} has forgotten ({@code POST /rooms/{roomId}/forget}) and not re-entered since (a new
     * membership un-forgets): they never appear in the user's {@code /sync} and their history is no longer theirs to read.
     */
    java.util.Set<String> forgottenRooms(String userId);
}
