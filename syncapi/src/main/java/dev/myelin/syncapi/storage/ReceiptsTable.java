package dev.myelin.syncapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** {@code sync_receipts}: the latest receipt per room, type, user and thread, at a receipts position. */
public final class ReceiptsTable {
    private ReceiptsTable() {}

    /** One receipt; {@code threadId} is '' for an unthreaded receipt. */
    public record Row(String roomId, String receiptType, String userId, String threadId, String eventId, long ts, long pos) {}

    public static void upsert(Connection tx, Row r) throws SQLException {
        Sql.update(tx, "INSERT INTO sync_receipts (room_id, receipt_type, user_id, thread_id, event_id, ts, pos) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (room_id, receipt_type, user_id, thread_id) DO UPDATE SET "
                        + "event_id = excluded.event_id, ts = excluded.ts, pos = excluded.pos",
                r.roomId(), r.receiptType(), r.userId(), r.threadId(), r.eventId(), r.ts(), r.pos());
    }

    public static Optional<Row> get(Connection c, String roomId, String type, String userId, String threadId)
            throws SQLException {
        return Sql.one(c, "SELECT room_id, receipt_type, user_id, thread_id, event_id, ts, pos FROM sync_receipts "
                + "WHERE room_id = ? AND receipt_type = ? AND user_id = ? AND thread_id = ?", ReceiptsTable::row,
                roomId, type, userId, threadId);
    }

    /** Receipts of the room with {@code after < pos <= upTo}. */
    public static List<Row> inRoom(Connection c, String roomId, long after, long upTo) throws SQLException {
        return Sql.list(c, "SELECT room_id, receipt_type, user_id, thread_id, event_id, ts, pos FROM sync_receipts "
                + "WHERE room_id = ? AND pos > ? AND pos <= ? ORDER BY pos", ReceiptsTable::row, roomId, after, upTo);
    }

    /** {@link #inRoom} of each room at once. */
    public static java.util.Map<String, List<Row>> inRooms(Connection c, java.util.Collection<String> roomIds, long after,
                                                          long upTo) throws SQLException {
        java.util.Map<String, List<Row>> out = new java.util.HashMap<>();
        for (List<String> chunk : Sql.chunks(roomIds)) {
            List<Object> params = new java.util.ArrayList<>(chunk);
            params.add(after);
            params.add(upTo);
            for (Row r : Sql.list(c, "SELECT room_id, receipt_type, user_id, thread_id, event_id, ts, pos FROM sync_receipts "
                    + "WHERE room_id IN (" + Sql.marks(chunk.size()) + ") AND pos > ? AND pos <= ? ORDER BY pos",
                    ReceiptsTable::row, params.toArray())) {
                out.computeIfAbsent(r.roomId(), k -> new java.util.ArrayList<>()).add(r);
            }
        }
        return out;
    }

    /** Rooms with a receipt in {@code (after, upTo]}. */
    public static List<String> roomsChanged(Connection c, long after, long upTo) throws SQLException {
        return Sql.list(c, "SELECT DISTINCT room_id FROM sync_receipts WHERE pos > ? AND pos <= ?",
                rs -> rs.getString(1), after, upTo);
    }

    private static Row row(java.sql.ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getLong(6), rs.getLong(7));
    }
}
