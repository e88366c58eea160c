package dev.myelin.syncapi.consumers;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.stream.Delivery;
import dev.myelin.platform.stream.DurableStreams;
import dev.myelin.platform.stream.StreamDefinition;
import dev.myelin.platform.stream.StreamHandler;
import dev.myelin.platform.stream.StreamTables;
import dev.myelin.platform.stream.Subscription;
import dev.myelin.roomserver.api.OutputRoomEvent;
import dev.myelin.syncapi.internal.NewRoomEvent;
import dev.myelin.syncapi.internal.RoomIndexer;
import java.util.ArrayList;
import java.util.List;

/**
 * Sync's durable consumer of the roomserver's {@code OutputRoomEvent} stream: each message is indexed by
 * {@link RoomIndexer} in a transaction that also records the stream position (so a redelivery is skipped), the
 * event facts having been read before that transaction; a batch of messages shares one transaction.
 */
public final class OutputRoomEventConsumer {
    /** The stream as sync reads it (same name and JSON codec as the roomserver's producer). */
    public static final StreamDefinition<OutputRoomEvent> STREAM =
            StreamDefinition.json(OutputRoomEvent.STREAM, OutputRoomEvent.class);
    /** The durable consumer's name. */
    public static final String CONSUMER = "syncapi";

    private OutputRoomEventConsumer() {}

    /** Registers interest before any producer runs, so nothing is pruned before sync reads it. */
    public static void declare(DurableStreams streams) {
        streams.declareConsumer(STREAM, CONSUMER);
    }

    /** Starts consuming; {@code syncDb} gets the stream layer's tables here. */
    public static Subscription start(DurableStreams streams, Database syncDb, RoomIndexer indexer) {
        StreamTables.migrate(syncDb);
        indexer.streamApplied(syncDb.read(c -> StreamTables.appliedPosition(c, STREAM.name(), CONSUMER)));
        return streams.subscribe(STREAM, CONSUMER, syncDb, new StreamHandler<>() {
            @Override
            public void handle(Delivery<OutputRoomEvent> delivery) {
                handleAll(List.of(delivery));
            }

            @Override
            public void handleAll(List<Delivery<OutputRoomEvent>> deliveries) {
                List<RoomIndexer.Prepared> prepared = new ArrayList<>(deliveries.size());
                for (Delivery<OutputRoomEvent> delivery : deliveries) {
                    OutputRoomEvent m = delivery.message();
                    prepared.add(indexer.prepare(new NewRoomEvent(m.roomId(), m.eventId(), m.addsStateEventIds(),
                            m.removesStateEventIds(), m.senderDeviceId(), m.transactionId())));
                }
                long[] positions = syncDb.write(tx -> {
                    long[] pos = new long[deliveries.size()];
                    for (int i = 0; i < pos.length; i++) {
                        pos[i] = deliveries.get(i).markApplied(tx) ? indexer.apply(tx, prepared.get(i)) : 0L;
                    }
                    return pos;
                });
                for (int i = 0; i < positions.length; i++) indexer.committed(prepared.get(i), positions[i]);
                indexer.streamApplied(deliveries.getLast().position());
            }
        });
    }
}
