package dev.myelin.syncapi.consumers;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.stream.DurableStreams;
import dev.myelin.platform.stream.StreamTables;
import dev.myelin.platform.stream.Subscription;
import dev.myelin.syncapi.api.SyncWaker;
import dev.myelin.userapi.api.OutputClientData;

/**
 * Sync's durable consumer of the userapi's {@code OutputClientData} stream: a changed account data entry wakes
 * the user's long polls, which then read the change by position from the userapi. Through the stream, a change
 * made by a userapi in another process reaches this process's waiting polls.
 */
public final class OutputClientDataConsumer {
    /** The durable consumer's name. */
    public static final String CONSUMER = "syncapi-account-data";

    private OutputClientDataConsumer() {}

    /** Registers interest before any producer runs. */
    public static void declare(DurableStreams streams) {
        streams.declareConsumer(OutputClientData.STREAM, CONSUMER);
    }

    /** Starts consuming; {@code syncDb} gets the stream layer's tables here. */
    public static Subscription start(DurableStreams streams, Database syncDb, SyncWaker waker) {
        StreamTables.migrate(syncDb);
        return streams.subscribe(OutputClientData.STREAM, CONSUMER, syncDb, delivery -> {
            syncDb.write(delivery::markApplied);
            // why: waking twice (a redelivery) only costs a poll a re-read; never waking would delay delivery
            waker.wakeUser(delivery.message().userId());
        });
    }
}
