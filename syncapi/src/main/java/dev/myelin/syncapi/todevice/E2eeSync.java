package dev.myelin.syncapi.todevice;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.platform.stream.Delivery;
import dev.myelin.platform.stream.DurableStreams;
import dev.myelin.platform.stream.StreamHandler;
import dev.myelin.platform.stream.StreamTables;
import dev.myelin.platform.stream.Subscription;
import dev.myelin.syncapi.api.SyncExtension;
import dev.myelin.syncapi.api.SyncMemberships;
import dev.myelin.syncapi.api.SyncWaker;
import dev.myelin.roomserver.api.OutputRoomEvent;
import dev.myelin.syncapi.consumers.OutputRoomEventConsumer;
import dev.myelin.syncapi.internal.NewRoomEvent;
import dev.myelin.syncapi.internal.RoomEventSource;
import dev.myelin.syncapi.internal.SyncToken;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.UserApi;
import dev.myelin.userapi.keys.KeyApi;
import dev.myelin.userapi.keys.OutputKeyChangeEvent;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Syncapi's E2EE part assembled: the to-device inbox and device-list tracking (both {@link SyncExtension}s), their
 * routes ({@code /sendToDevice}, {@code /keys/changes}, which take sync tokens and so live here) and the consumer of
 * the key server's change stream. Tables live in syncapi's database under their own migration set.
 */
public final class E2eeSync {
    private final ToDeviceInbox toDevice;
    private final DeviceLists deviceLists;
    private final SyncMemberships memberships;

    private E2eeSync(ToDeviceInbox toDevice, DeviceLists deviceLists, SyncMemberships memberships) {
        this.toDevice = toDevice;
        this.deviceLists = deviceLists;
        this.memberships = memberships;
    }

    /**
     * Builds the E2EE part over syncapi's database (migrating its tables). {@code waker} is syncapi's notifier,
     * {@code memberships} syncapi's membership index, {@code events} the event source sync indexes from.
     */
    public static E2eeSync create(Database syncDb, UserApi users, KeyApi keys, SyncMemberships memberships, SyncWaker waker,
            RoomEventSource events, Clock clock) {
        E2eeTables.migrate(syncDb);
        StreamTables.migrate(syncDb);
        return new E2eeSync(new ToDeviceInbox(syncDb, users, waker, clock),
                new DeviceLists(syncDb, keys, memberships, waker, events), memberships);
    }

    /** The extensions to hand to syncapi. */
    public List<SyncExtension> extensions() { return List.of(toDevice, deviceLists); }

    public ToDeviceInbox toDevice() { return toDevice; }

    public DeviceLists deviceLists() { return deviceLists; }

    /** Starts consuming the key server's change stream (declare the consumer at start-up with {@link DeviceLists#KEY_CHANGES_CONSUMER}). */
    public Subscription subscribeKeyChanges(DurableStreams streams, Database syncDb) {
        return streams.subscribe(OutputKeyChangeEvent.STREAM, DeviceLists.KEY_CHANGES_CONSUMER, syncDb, deviceLists.keyChangeHandler());
    }

    /** The durable consumer name of the room event stream for device-list tracking. */
    public static final String ROOM_EVENTS_CONSUMER = "syncapi-device-lists-rooms";

    /** Registers this part's durable consumers (call at start-up, before producers run). */
    public static void declare(DurableStreams streams) {
        streams.declareConsumer(OutputKeyChangeEvent.STREAM, DeviceLists.KEY_CHANGES_CONSUMER);
        streams.declareConsumer(OutputRoomEventConsumer.STREAM, ROOM_EVENTS_CONSUMER);
    }

    /**
     * Starts consuming the room event stream for joins and leaves. Each message waits (briefly) until sync's own
     * consumer has indexed it. why: device lists decide "still shares a room" from sync's membership index; read
     * before the index caught up, a leave would be judged against the old membership and never reported.
     */
    public Subscription subscribeRoomEvents(DurableStreams streams, Database syncDb) {
        return streams.subscribe(OutputRoomEventConsumer.STREAM, ROOM_EVENTS_CONSUMER, syncDb, new StreamHandler<>() {
            @Override
            public void handle(Delivery<OutputRoomEvent> delivery) throws InterruptedException {
                handleAll(List.of(delivery));
            }

            @Override
            public void handleAll(List<Delivery<OutputRoomEvent>> deliveries) throws InterruptedException {
                // why: only state changes can be joins or leaves; a batch of messages needs no wait and no read
                if (deliveries.stream().allMatch(d -> d.message().addsStateEventIds().isEmpty())) return;
                long last = deliveries.getLast().position();
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                while (indexedUpTo(syncDb) < last && System.nanoTime() < deadline) Thread.sleep(20);
                for (Delivery<OutputRoomEvent> delivery : deliveries) {
                    OutputRoomEvent m = delivery.message();
                    deviceLists.roomEvent(new NewRoomEvent(m.roomId(), m.eventId(), m.addsStateEventIds(),
                            m.removesStateEventIds(), m.senderDeviceId(), m.transactionId()), delivery::markApplied);
                }
            }
        });
    }

    private static long indexedUpTo(Database syncDb) {
        return syncDb.read(c -> {
            try (java.sql.PreparedStatement ps = c.prepareStatement(
                    "SELECT position FROM stream_applied WHERE stream = ? AND consumer = ?")) {
                ps.setString(1, OutputRoomEventConsumer.STREAM.name());
                ps.setString(2, OutputRoomEventConsumer.CONSUMER);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    /** Adds {@code /sendToDevice} and {@code /keys/changes}. */
    public void addRoutes(Router router, Authenticator auth) {
        router.put("/_matrix/client/v3/sendToDevice/{eventType}/{txnId}", call -> {
            Requester r = auth.requireAllowingGuests(call);
            toDevice.send(r.userId(), r.deviceId(), call.pathParam("eventType"), call.pathParam("txnId"), call.json());
            return Reply.empty();
        });
        router.get("/_matrix/client/v3/keys/changes", call -> {
            Requester r = auth.requireAllowingGuests(call);
            long from = SyncToken.parse(call.queryParam("from").orElseThrow(() -> MatrixException.missingParam("'from' is required")))
                    .get(deviceLists.tokenKey());
            long to = SyncToken.parse(call.queryParam("to").orElseThrow(() -> MatrixException.missingParam("'to' is required")))
                    .get(deviceLists.tokenKey());
            DeviceLists.Answer a = deviceLists.changes(r.userId(), from, Math.max(from, to), memberships.joinedRooms(r.userId()),
                    Set.of(), Set.of());
            return Reply.json(Map.of("changed", List.copyOf(a.changed()), "left", List.copyOf(a.left())));
        });
    }
}
