package dev.myelin.userapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code notifications} and {@code notification_read_marks}: what a user's push rules said to notify about, read
 * or not, and how far the user's receipts have read per room and thread. Events are ordered by event NID.
 */
public final class NotificationsTable {
    private NotificationsTable() {}

    /** One notification; {@code threadId} is {@code "main"} outside threads. */
    public record Row(long id, String userId, String roomId, String threadId, String eventId, long eventNid, long ts,
                      boolean highlight, String actionsJson, boolean read) {}

    /** Unread notifications of one thread of a room. */
    public record Unread(String threadId, long notifications, long highlights) {}

    private static final String COLUMNS = "id, user_id, room_id, thread_id, event_id, event_nid, ts, highlight, actions, is_read";

    /** Inserts a notification unless the user already has one for the event; true when inserted. */
    public static boolean insert(Connection tx, Row r) throws SQLException {
        boolean inserted = Sql.update(tx, "INSERT INTO notifications (user_id, room_id, thread_id, event_id, event_nid, ts, "
                        + "highlight, actions, is_read) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, event_id) DO NOTHING",
                r.userId(), r.roomId(), r.threadId(), r.eventId(), r.eventNid(), r.ts(), r.highlight(), r.actionsJson(),
                r.read()) > 0;
        if (inserted && !r.read()) {
            Sql.update(tx, "INSERT INTO notification_unread (user_id, room_id, thread_id, notifications, highlights) "
                    + "VALUES (?, ?, ?, 1, ?) ON CONFLICT (user_id, room_id, thread_id) DO UPDATE SET "
                    + "notifications = notification_unread.notifications + 1, "
                    + "highlights = notification_unread.highlights + excluded.highlights",
                    r.userId(), r.roomId(), r.threadId(), r.highlight() ? 1 : 0);
        }
        return inserted;
    }

    /**
     * Marks read the user's notifications of the room up to {@code eventNid}, in one thread or (null) in all, and
     * takes them off the unread counts; returns how many became read.
     */
    public static int markRead(Connection tx, String userId, String roomId, String threadId, long eventNid)
            throws SQLException {
        String sql = "UPDATE notifications SET is_read = 1 WHERE user_id = ? AND room_id = ? AND is_read = 0 "
                + "AND event_nid <= ?" + (threadId == null ? "" : " AND thread_id = ?") + " RETURNING thread_id, highlight";
        Object[] params = threadId == null ? new Object[] {userId, roomId, eventNid}
                : new Object[] {userId, roomId, eventNid, threadId};
        Map<String, long[]> read = new HashMap<>();
        for (String[] row : Sql.list(tx, sql, rs -> new String[] {rs.getString(1), Long.toString(rs.getLong(2))}, params)) {
            long[] counts = read.computeIfAbsent(row[0], t -> new long[2]);
            counts[0]++;
            counts[1] += Long.parseLong(row[1]) != 0 ? 1 : 0;
        }
        int total = 0;
        for (Map.Entry<String, long[]> e : read.entrySet()) {
            Sql.update(tx, "UPDATE notification_unread SET notifications = notifications - ?, highlights = highlights - ? "
                    + "WHERE user_id = ? AND room_id = ? AND thread_id = ?", e.getValue()[0], e.getValue()[1], userId, roomId,
                    e.getKey());
            total += (int) e.getValue()[0];
        }
        return total;
    }

    /** The unread counts of the user in the room, per thread with any. */
    public static List<Unread> unread(Connection c, String userId, String roomId) throws SQLException {
        return Sql.list(c, "SELECT thread_id, notifications, highlights FROM notification_unread WHERE user_id = ? "
                + "AND room_id = ? AND notifications > 0", rs -> new Unread(rs.getString(1), rs.getLong(2), rs.getLong(3)),
                userId, roomId);
    }

    /** The user's notifications with {@code id < before}, newest first, at most {@code limit}. */
    public static List<Row> page(Connection c, String userId, long before, int limit, boolean onlyHighlights)
            throws SQLException {
        return Sql.list(c, "SELECT " + COLUMNS + " FROM notifications WHERE user_id = ? AND id < ?"
                + (onlyHighlights ? " AND highlight = 1" : "") + " ORDER BY id DESC LIMIT ?", NotificationsTable::row,
                userId, before, limit);
    }

    /** Deletes the user's read notifications of the room evaluated before {@code ts}. */
    public static int deleteReadBefore(Connection tx, String userId, String roomId, long ts) throws SQLException {
        return Sql.update(tx, "DELETE FROM notifications WHERE user_id = ? AND room_id = ? AND is_read = 1 AND ts < ?",
                userId, roomId, ts);
    }

    /** Raises the user's read mark of a room thread ('' for an unthreaded receipt) to {@code eventNid}. */
    public static void raiseReadMark(Connection tx, String userId, String roomId, String threadId, long eventNid)
            throws SQLException {
        Sql.update(tx, "INSERT INTO notification_read_marks (user_id, room_id, thread_id, event_nid) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (user_id, room_id, thread_id) DO UPDATE SET event_nid = excluded.event_nid "
                + "WHERE notification_read_marks.event_nid < excluded.event_nid", userId, roomId, threadId, eventNid);
    }

    /** The highest read mark covering {@code threadId} (its own or an unthreaded one), 0 when none. */
    public static long readMark(Connection c, String userId, String roomId, String threadId) throws SQLException {
        Optional<Long> mark = Sql.one(c, "SELECT MAX(event_nid) FROM notification_read_marks WHERE user_id = ? AND room_id = ? "
                + "AND thread_id IN ('', ?)", rs -> rs.getLong(1), userId, roomId, threadId);
        return mark.orElse(0L);
    }

    private static Row row(java.sql.ResultSet rs) throws SQLException {
        return new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getLong(6),
                rs.getLong(7), rs.getInt(8) != 0, rs.getString(9), rs.getInt(10) != 0);
    }
}
