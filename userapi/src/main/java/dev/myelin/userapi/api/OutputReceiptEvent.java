package dev.myelin.userapi.api;

import dev.myelin.platform.stream.StreamDefinition;

/**
 * Stream message: a local user moved a read receipt ({@code m.read} or {@code m.read.private}) forward. Syncapi
 * owns receipts and produces this from its outbox in the receipt's transaction; userapi consumes it to mark
 * notifications read. why here: userapi cannot depend on syncapi, so the message type lives with its consumer.
 *
 * @param threadId  the receipt's thread ({@code "main"} for the main timeline), or null for an unthreaded receipt
 * @param eventNid  the receipt's event NID: the room graph's storage order, which notifications are compared by
 */
public record OutputReceiptEvent(String userId, String roomId, String receiptType, String eventId, long eventNid,
                                 String threadId, long ts) {

    /** The durable stream these messages travel on; keyed by user ID. */
    public static final StreamDefinition<OutputReceiptEvent> STREAM =
            StreamDefinition.json("OutputReceiptEvent", OutputReceiptEvent.class);
}
