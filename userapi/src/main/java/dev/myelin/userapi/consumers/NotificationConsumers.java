package dev.myelin.userapi.consumers;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.stream.DurableStreams;
import dev.myelin.platform.stream.StreamDefinition;
import dev.myelin.platform.stream.StreamHandler;
import dev.myelin.platform.stream.StreamTables;
import dev.myelin.platform.stream.Subscription;
import dev.myelin.roomserver.api.OutputRoomEvent;
import dev.myelin.userapi.api.OutputReceiptEvent;
import dev.myelin.userapi.internal.PushNotifications;
import java.util.List;

/**
 * Userapi's durable consumers for push notifications: the roomserver's {@code OutputRoomEvent} stream (each event is
 * evaluated against the members' push rules before the transaction, then stored with the stream position) and
 * syncapi's {@code OutputReceiptEvent} stream (receipts mark notifications read). Both are idempotent: the position
 * is recorded in the transaction that applies the message.
 */
public final class NotificationConsumers {
    /** The room event stream as userapi reads it (same name and JSON codec as the roomserver's producer). */
    public static final StreamDefinition<OutputRoomEvent> ROOM_EVENTS =
            StreamDefinition.json(OutputRoomEvent.STREAM, OutputRoomEvent.class);
    /** The durable consumer names. */
    public static final String ROOM_EVENTS_CONSUMER = "userapi-push";
    public static final String RECEIPTS_CONSUMER = "userapi-receipts";

    private NotificationConsumers() {}

    /** Registers interest before any producer runs, so nothing is pruned before userapi reads it. */
    public static void declare(DurableStreams streams) {
        streams.declareConsumer(ROOM_EVENTS, ROOM_EVENTS_CONSUMER);
        streams.declareConsumer(OutputReceiptEvent.STREAM, RECEIPTS_CONSUMER);
    }

    /** Starts both consumers on the userapi database. */
    public static List<Subscription> start(DurableStreams streams, Database userDb, PushNotifications push) {
        StreamTables.migrate(userDb);
        Subscription events = streams.subscribe(ROOM_EVENTS, ROOM_EVENTS_CONSUMER, userDb, delivery -> {
            PushNotifications.Evaluated evaluated = push.evaluate(delivery.message());
            // why: most events notify nobody (remote senders' reactions, edits, state in rooms without other local
            // members); applying such an event twice changes nothing, so it needs no transaction to record it
            if (evaluated.notifications().isEmpty() && evaluated.localSender() == null) return;
            try {
                userDb.write(tx -> {
                    if (delivery.markApplied(tx)) push.store(tx, evaluated);
                    return null;
                });
            } catch (RuntimeException e) {
                push.forgetRoom(delivery.message().roomId()); // why: its cached state already moved past this event
                throw e;
            }
        });
        Subscription receipts = streams.subscribe(OutputReceiptEvent.STREAM, RECEIPTS_CONSUMER, userDb,
                StreamHandler.transactional(userDb, (tx, delivery) -> push.receipt(tx, delivery.message())));
        return List.of(events, receipts);
    }
}
