package dev.myelin.syncapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * {@code sync_notification_counts}: each user's unread notification counts per room and thread as userapi last
 * reported them, with the notifications position of the report (so an incremental sync finds the rooms whose
 * counts changed).
 */
public final class NotificationCountsTable {
    private NotificationCountsTable() {}

    /** The counts of one thread ({@code "main"} for the main timeline) of one room. */
    public record Row(String roomId, String threadId, long notificationCount, long highlightCount, long pos) {}

    public static void upsert(Connection tx, String userId, Row r) throws SQLException {
        Sql.update(tx, "INSERT INTO sync_notification_counts (user_id, room_id, thread_id, notification_count, "
                        + "highlight_count, pos) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, room_id, thread_id) DO UPDATE SET "
                        + "notification_count = excluded.notification_count, highlight_count = excluded.highlight_count, "
                        + "pos = excluded.pos",
                userId, r.roomId(), r.threadId(), r.notificationCount(), r.highlightCount(), r.pos());
    }

    /** Every count row of the user (threads at zero included). */
    public static List<Row> ofUser(Connection c, String userId) throws SQLException {
        return Sql.list(c, "SELECT room_id, thread_id, notification_count, highlight_count, pos FROM sync_notification_counts "
                + "WHERE user_id = ?", rs -> new Row(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                rs.getLong(5)), userId);
    }
}
