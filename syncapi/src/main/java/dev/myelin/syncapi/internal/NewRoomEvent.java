package dev.myelin.syncapi.internal;

import java.util.List;

/**
 * One message of the roomserver's {@code OutputRoomEvent} stream as sync uses it: the new event and how the
 * room's current state changed with it.
 *
 * @param addsStateEventIds    state events that entered the current state with this event
 * @param removesStateEventIds state events that left the current state with this event
 * @param senderDeviceId       the local device that sent it (for {@code unsigned.transaction_id}), or null
 * @param transactionId        the client's transaction ID, or null
 */
public record NewRoomEvent(String roomId, String eventId, List<String> addsStateEventIds,
                           List<String> removesStateEventIds, String senderDeviceId, String transactionId) {

    public NewRoomEvent {
        addsStateEventIds = List.copyOf(addsStateEventIds);
        removesStateEventIds = List.copyOf(removesStateEventIds);
    }
}
