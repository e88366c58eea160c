package dev.myelin.userapi.keys;

import dev.myelin.platform.stream.StreamDefinition;

/**
 * Stream message: the keys a user publishes changed (a device's keys appeared or went away, cross-signing keys or
 * signatures changed), so whoever shares a room with the user must re-query them ({@code device_lists.changed}).
 * {@code deviceId} is null when the change is not about one device. Keyed by user ID.
 */
public record OutputKeyChangeEvent(String userId, String deviceId, String change) {

    /** A device uploaded its identity keys for the first time. */
    public static final String DEVICE_KEYS = "device_keys";
    /** A device was deleted, and its keys with it. */
    public static final String DEVICE_DELETED = "device_deleted";
    /** Cross-signing keys or signatures changed. */
    public static final String CROSS_SIGNING = "cross_signing";

    /** The durable stream these messages travel on; produced from the userapi database's outbox. */
    public static final StreamDefinition<OutputKeyChangeEvent> STREAM =
            StreamDefinition.json("OutputKeyChangeEvent", OutputKeyChangeEvent.class);
}
