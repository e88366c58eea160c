package dev.myelin.syncapi.storage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * {@code sync_room_events}: every room event in sync's stream order, with the few fields filters and
 * pagination need (type, state key, sender, whether it has a URL), so that they never read event JSON.
 */
public final class RoomEventsTable {

    /** One indexed event. */
    public record Row(long pos, String roomId, String eventId, long eventNid, String type, String stateKey,
                      String sender, boolean containsUrl, String deviceId, String txnId) {}

    private static final String COLUMNS =
            "pos, room_id, event_id, event_nid, type, state_key, sender, contains_url, device_id, txn_id";

    private RoomEventsTable() {}

    public static void insert(Connection tx, Row r) throws SQLException {
        Sql.update(tx, "INSERT INTO sync_room_events (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                r.pos(), r.roomId(), r.eventId(), r.eventNid(), r.type(), r.stateKey(), r.sender(), r.containsUrl(),
                r.deviceId(), r.txnId());
    }

    /** The highest position, 0 when empty. */
    public static long head(Connection c) throws SQLException {
        return Sql.one(c, "SELECT MAX(pos) FROM sync_room_events", rs -> rs.getLong(1)).orElse(0L);
    }

    public static Optional<Row> byEventId(Connection c, String eventId) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM sync_room_events WHERE event_id = ?", RoomEventsTable::row, eventId);
    }

    public static Optional<Row> byPos(Connection c, long pos) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM sync_room_events WHERE pos = ?", RoomEventsTable::row, pos);
    }

    /** Events of {@code roomId} with {@code after < pos <= upTo}, newest first, at most {@code limit}. */
    public static List<Row> newestFirst(Connection c, String roomId, long after, long upTo, int limit)
            throws SQLException {
        return Sql.list(c, "SELECT " + COLUMNS + " FROM sync_room_events WHERE room_id = ? AND pos > ? AND pos <= ? "
                + "ORDER BY pos DESC LIMIT ?", RoomEventsTable::row, roomId, after, upTo, limit);
    }

    /** Events of {@code roomId} with {@code from <= pos <= upTo}, oldest first, at most {@code limit}. */
    public static List<Row> oldestFirst(Connection c, String roomId, long from, long upTo, int limit)
            throws SQLException {
        return Sql.list(c, "SELECT " + COLUMNS + " FROM sync_room_events WHERE room_id = ? AND pos >= ? AND pos <= ? "
                + "ORDER BY pos LIMIT ?", RoomEventsTable::row, roomId, from, upTo, limit);
    }

    /** Rooms with at least one event in {@code (after, upTo]}. */
    public static java.util.Set<String> roomsWithEvents(Connection c, long after, long upTo) throws SQLException {
        return new java.util.HashSet<>(Sql.list(c, "SELECT DISTINCT room_id FROM sync_room_events WHERE pos > ? AND pos <= ?",
                rs -> rs.getString(1), after, upTo));
    }

    static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getInt(8) != 0, rs.getString(9), rs.getString(10));
    }
}
