package dev.myelin.syncapi.storage;

import dev.myelin.platform.db.Dialect;
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

    /** The words of an event for the full-text index ({@link SearchTable}): which field, and its text. */
    public record SearchText(String key, String text) {}

    /**
     * Appends an event at the next position (after the highest) unless it is indexed already, and with
     * {@code search} (may be null) its full-text entry. Returns the new position, or 0 when the event was indexed
     * before (then nothing changes). {@code r.pos()} is ignored.
     *
     * <p>why one statement: the duplicate check, the next position and the insert were three round trips on
     * PostgreSQL, and the search entry a fourth; there the search entry is a second part of the same statement.
     */
    public static long append(Connection tx, Dialect dialect, Row r, SearchText search) throws SQLException {
        // why MAX in a scalar subquery of its own: SQLite (3.54) reads MAX(pos) from the primary key only there; the
        // same MAX in a FROM subquery scanned the whole table at every insert
        String insert = "INSERT INTO sync_room_events (" + COLUMNS + ") "
                + "SELECT COALESCE((SELECT MAX(pos) FROM sync_room_events), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                + "WHERE NOT EXISTS (SELECT 1 FROM sync_room_events WHERE event_id = ?) RETURNING pos";
        Object[] args = {r.roomId(), r.eventId(), r.eventNid(), r.type(), r.stateKey(), r.sender(), r.containsUrl(),
                r.deviceId(), r.txnId(), r.eventId()};
        if (search != null && dialect == Dialect.POSTGRES) {
            Object[] all = java.util.Arrays.copyOf(args, args.length + 3);
            all[args.length] = r.roomId();
            all[args.length + 1] = search.key();
            all[args.length + 2] = search.text();
            return Sql.one(tx, "WITH e AS (" + insert + "), s AS (INSERT INTO sync_search (pos, room_id, search_key, vector) "
                    + "SELECT pos, ?, ?, to_tsvector('simple', ?) FROM e ON CONFLICT (pos) DO NOTHING) SELECT pos FROM e",
                    rs -> rs.getLong(1), all).orElse(0L);
        }
        long pos = Sql.one(tx, insert, rs -> rs.getLong(1), args).orElse(0L);
        if (pos != 0 && search != null) SearchTable.insert(tx, dialect, pos, r.roomId(), search.key(), search.text());
        return pos;
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
