package dev.myelin.syncapi.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.Migrations;
import dev.myelin.platform.stream.Delivery;
import dev.myelin.platform.stream.StreamHandler;
import dev.myelin.syncapi.storage.CountersTable;
import dev.myelin.syncapi.storage.NotificationCountsTable;
import dev.myelin.userapi.api.OutputNotificationData;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * Unread notification counts in {@code /sync} (https://spec.matrix.org/v1.19/client-server-api/#receiving-notifications):
 * userapi decides what notifies and what receipts read, and reports each user's counts per room and thread on the
 * {@code OutputNotificationData} stream; sync keeps the latest report under its own {@code notifications} position
 * ({@code n} in since tokens), wakes the user's long polls, and renders {@code unread_notifications} (and, when the
 * timeline filter asks, {@code unread_thread_notifications}) for joined rooms.
 */
public final class UnreadNotifications {
    /** The migration set of the counts table, in the syncapi database. */
    public static final String MIGRATIONS = "syncnotifications";
    /** The durable consumer name of the {@code OutputNotificationData} stream. */
    public static final String CONSUMER = "syncapi-notifications";
    static final String COUNTER = "notifications";

    private UnreadNotifications() {}

    public static void migrate(Database syncDb) {
        Migrations.apply(syncDb, MIGRATIONS);
    }

    /** The consumer: stores the reported counts with the next notifications position, then wakes the user. */
    public static StreamHandler<OutputNotificationData> handler(Database syncDb, Notifier notifier) {
        StreamHandler<OutputNotificationData> store = StreamHandler.transactional(syncDb, (tx, delivery) -> {
            OutputNotificationData m = delivery.message();
            long pos = CountersTable.next(tx, COUNTER);
            for (var e : m.threads().entrySet()) {
                NotificationCountsTable.upsert(tx, m.userId(), new NotificationCountsTable.Row(m.roomId(), e.getKey(),
                        e.getValue().notificationCount(), e.getValue().highlightCount(), pos));
            }
        });
        return new StreamHandler<>() {
            @Override
            public void handle(Delivery<OutputNotificationData> delivery) throws Exception {
                handleAll(List.of(delivery));
            }

            @Override
            public void handleAll(List<Delivery<OutputNotificationData>> deliveries) throws Exception {
                store.handleAll(deliveries);
                Set<String> users = new LinkedHashSet<>();
                for (Delivery<OutputNotificationData> delivery : deliveries) users.add(delivery.message().userId());
                users.forEach(notifier::wakeUser);
            }
        };
    }

    /** A user's counts as of one sync: room → thread → row. */
    record Snapshot(long upTo, Map<String, Map<String, NotificationCountsTable.Row>> rooms) {

        /** Rooms whose counts changed in {@code (since, upTo]}. */
        List<String> changedRooms(long since) {
            return rooms.entrySet().stream()
                    .filter(e -> e.getValue().values().stream().anyMatch(r -> r.pos() > since && r.pos() <= upTo))
                    .map(Map.Entry::getKey).toList();
        }
    }

    static Snapshot read(Connection c, String userId) throws SQLException {
        long upTo = CountersTable.current(c, COUNTER);
        Map<String, Map<String, NotificationCountsTable.Row>> rooms = new HashMap<>();
        for (NotificationCountsTable.Row r : NotificationCountsTable.ofUser(c, userId)) {
            rooms.computeIfAbsent(r.roomId(), k -> new HashMap<>()).put(r.threadId(), r);
        }
        return new Snapshot(upTo, rooms);
    }

    /**
     * Adds the counts of one joined room to its {@code /sync} object. With {@code perThread} the room's counts are
     * its main timeline's and each thread with unread notifications (or whose count changed since {@code since})
     * is listed under {@code unread_thread_notifications}; without it, every thread adds to the room's counts.
     */
    static void render(ObjectNode room, Map<String, NotificationCountsTable.Row> threads, boolean perThread, long since) {
        long notifications = 0;
        long highlights = 0;
        ObjectNode perThreadCounts = null;
        if (threads != null) {
            for (NotificationCountsTable.Row r : threads.values()) {
                boolean main = r.threadId().equals(OutputNotificationData.MAIN_THREAD);
                if (!perThread || main) {
                    notifications += r.notificationCount();
                    highlights += r.highlightCount();
                } else if (r.notificationCount() > 0 || r.pos() > since) {
                    if (perThreadCounts == null) perThreadCounts = room.objectNode();
                    counts(perThreadCounts.putObject(r.threadId()), r.notificationCount(), r.highlightCount());
                }
            }
        }
        counts(room.putObject("unread_notifications"), notifications, highlights);
        if (perThreadCounts != null) room.set("unread_thread_notifications", perThreadCounts);
    }

    private static void counts(ObjectNode o, long notifications, long highlights) {
        o.put("notification_count", notifications);
        o.put("highlight_count", highlights);
    }
}
