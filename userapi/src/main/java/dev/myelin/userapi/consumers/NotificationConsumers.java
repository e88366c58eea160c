package dev.myelin.userapi.consumers;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.stream.Delivery;
import dev.myelin.platform.stream.DurableStreams;
import dev.myelin.platform.stream.StreamDefinition;
import dev.myelin.platform.stream.StreamHandler;
import dev.myelin.platform.stream.StreamTables;
import dev.myelin.platform.stream.Subscription;
import dev.myelin.roomserver.api.OutputRoomEvent;
import dev.myelin.userapi.api.OutputReceiptEvent;
import dev.myelin.userapi.internal.PushNotifications;
import java.util.ArrayList;
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
        Subscription events = streams.subscribe(ROOM_EVENTS, ROOM_EVENTS_CONSUMER, userDb, new StreamHandler<>() {
            @Override
            public void handle(Delivery<OutputRoomEvent> delivery) {
                handleAll(List.of(delivery));
            }

            @Override
            public void handleAll(List<Delivery<OutputRoomEvent>> deliveries) {
                List<Delivery<OutputRoomEvent>> toStore = new ArrayList<>();
                List<PushNotifications.Evaluated> evaluated = new ArrayList<>();
                try {
                    for (Delivery<OutputRoomEvent> delivery : deliveries) {
                        PushNotifications.Evaluated e = push.evaluate(delivery.message());
                        // why: most events notify nobody (remote senders' reactions, edits, state in rooms without
                        // other local members); applying such an event twice changes nothing: no transaction needed
                        if (e.notifications().isEmpty() && e.localSender() == null) continue;
                        toStore.add(delivery);
                        evaluated.add(e);
                    }
                    if (toStore.isEmpty()) return;
                    userDb.write(tx -> {
                        PushNotifications.PendingReports reports = new PushNotifications.PendingReports();
                        for (int i = 0; i < toStore.size(); i++) {
                            if (toStore.get(i).markApplied(tx)) push.store(tx, evaluated.get(i), reports);
                        }
                        push.report(tx, reports);
                        return null;
                    });
                } catch (RuntimeException e) {
                    // why: the cached room state already moved past these events; the redelivery starts from scratch
                    for (Delivery<OutputRoomEvent> delivery : deliveries) push.forgetRoom(delivery.message().roomId());
                    throw e;
                }
            }
        });
        Subscription receipts = streams.subscribe(OutputReceiptEvent.STREAM, RECEIPTS_CONSUMER, userDb,
                StreamHandler.transactional(userDb, (tx, delivery) -> push.receipt(tx, delivery.message())));
        return List.of(events, receipts);
    }
}
