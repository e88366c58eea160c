package dev.myelin.syncapi.consumers;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.stream.DurableStreams;
import dev.myelin.platform.stream.StreamTables;
import dev.myelin.platform.stream.Subscription;
import dev.myelin.syncapi.internal.Notifier;
import dev.myelin.syncapi.internal.UnreadNotifications;
import dev.myelin.userapi.api.OutputNotificationData;

/**
 * Sync's durable consumer of userapi's {@code OutputNotificationData} stream: each report of a user's unread counts
 * in a room is stored (with the position, idempotently) by {@link UnreadNotifications}, then the user's long polls
 * are woken.
 */
public final class OutputNotificationDataConsumer {
    private OutputNotificationDataConsumer() {}

    /** Registers interest before any producer runs. */
    public static void declare(DurableStreams streams) {
        streams.declareConsumer(OutputNotificationData.STREAM, UnreadNotifications.CONSUMER);
    }

    public static Subscription start(DurableStreams streams, Database syncDb, Notifier notifier) {
        StreamTables.migrate(syncDb);
        UnreadNotifications.migrate(syncDb);
        return streams.subscribe(OutputNotificationData.STREAM, UnreadNotifications.CONSUMER, syncDb,
                UnreadNotifications.handler(syncDb, notifier));
    }
}
