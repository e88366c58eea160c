package dev.myelin.roomserver.api;

import java.util.List;

/**
 * A message of the {@code OutputRoomEvent} stream: an event the roomserver accepted, written in the same database
 * transaction as the event. The event's JSON is not repeated here: consumers read it through {@link EventStore}.
 *
 * @param roomId             the room
 * @param eventId            the new event
 * @param eventNid           its NID (its position in the room graph's storage order)
 * @param roomVersion        the room's version
 * @param addsStateEventIds  state events that entered the room's current state with this event
 * @param removesStateEventIds state events that left the current state with this event
 * @param senderDeviceId     the device of a local client that sent it, or null
 * @param transactionId      the client's transaction ID, or null
 */
public record OutputRoomEvent(String roomId, String eventId, long eventNid, String roomVersion,
                              List<String> addsStateEventIds, List<String> removesStateEventIds,
                              String senderDeviceId, String transactionId) {

    /** why: in the embedded shape every consumer in the process gets this very object; none may change it. */
    public OutputRoomEvent {
        addsStateEventIds = addsStateEventIds == null ? List.of() : List.copyOf(addsStateEventIds);
        removesStateEventIds = removesStateEventIds == null ? List.of() : List.copyOf(removesStateEventIds);
    }

    /** The stream's name. */
    public static final String STREAM = "OutputRoomEvent";
}
