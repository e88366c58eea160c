package dev.myelin.userapi.api;

import dev.myelin.platform.stream.StreamDefinition;

/**
 * Stream message: a user's account data entry changed ({@code roomId} empty for global account data, push rules
 * included), written in the transaction of the change at account data position {@code position}. Sync wakes the
 * user's long polls with it and reads the change through {@link UserApi#accountDataChanges}. Keyed by user ID.
 */
public record OutputClientData(String userId, String roomId, String type, long position) {

    /** The durable stream these messages travel on; produced from the userapi database's outbox. */
    public static final StreamDefinition<OutputClientData> STREAM =
            StreamDefinition.json("OutputClientData", OutputClientData.class);
}
