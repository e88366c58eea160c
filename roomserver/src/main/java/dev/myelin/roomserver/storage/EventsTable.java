package dev.myelin.roomserver.storage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** {@code roomserver_events}: every accepted event of every room, its JSON stored once, with the state before it. */
public final class EventsTable {
    private EventsTable() {}

    /** One stored event. {@code stateKeyNid} is 0 for a message event. */
    public record EventRow(long eventNid, long roomNid, String eventId, long eventTypeNid, long stateKeyNid,
                           long depth, long originServerTs, String sender, long stateSnapshotNid, String redactedBy,
                           String json) {}

    private static final String COLUMNS = "event_nid, room_nid, event_id, event_type_nid, state_key_nid, depth, "
            + "origin_server_ts, sender, state_snapshot_nid, redacted_by, json";

    public static long insert(Connection tx, long roomNid, String eventId, long typeNid, long stateKeyNid, long depth,
                              long ts, String sender, long stateSnapshotNid, String redacts, String json) throws SQLException {
        return Sql.insertReturning(tx, "INSERT INTO roomserver_events (room_nid, event_id, event_type_nid, "
                + "state_key_nid, depth, origin_server_ts, sender, state_snapshot_nid, redacts, json) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING event_nid",
                roomNid, eventId, typeNid, stateKeyNid, depth, ts, sender, stateSnapshotNid, redacts, json);
    }

    /** The IDs of the room's redaction events that name {@code eventId}, oldest first. */
    public static List<String> redactionsOf(Connection c, long roomNid, String eventId) throws SQLException {
        return Sql.list(c, "SELECT event_id FROM roomserver_events WHERE redacts = ? AND room_nid = ? ORDER BY event_nid",
                rs -> rs.getString(1), eventId, roomNid);
    }

    public static Optional<EventRow> byId(Connection c, String eventId) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM roomserver_events WHERE event_id = ?", EventsTable::row, eventId);
    }

    public static Optional<EventRow> byNid(Connection c, long eventNid) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM roomserver_events WHERE event_nid = ?", EventsTable::row, eventNid);
    }

    /** The rows of {@code eventNids} that exist (one query; the caller keeps the list to a few hundred). */
    public static List<EventRow> byNids(Connection c, java.util.Collection<Long> eventNids) throws SQLException {
        if (eventNids.isEmpty()) return List.of();
        return Sql.list(c, "SELECT " + COLUMNS + " FROM roomserver_events WHERE event_nid IN ("
                + String.join(", ", java.util.Collections.nCopies(eventNids.size(), "?")) + ")", EventsTable::row,
                eventNids.toArray());
    }

    public static void setRedactedBy(Connection tx, long eventNid, String redactionEventId) throws SQLException {
        Sql.update(tx, "UPDATE roomserver_events SET redacted_by = ? WHERE event_nid = ?", redactionEventId, eventNid);
    }

    /** The room's events in storage order (for tests and small rooms). */
    public static List<EventRow> inRoom(Connection c, long roomNid) throws SQLException {
        return Sql.list(c, "SELECT " + COLUMNS + " FROM roomserver_events WHERE room_nid = ? ORDER BY event_nid",
                EventsTable::row, roomNid);
    }

    /**
     * The room's event closest to {@code ts} in {@code direction} ('f': the first at or after, 'b': the last at or
     * before), as (event ID, origin_server_ts).
     */
    public static Optional<EventRow> closestTo(Connection c, long roomNid, long ts, boolean forwards) throws SQLException {
        String sql = forwards
                ? "SELECT " + COLUMNS + " FROM roomserver_events WHERE room_nid = ? AND origin_server_ts >= ? "
                        + "ORDER BY origin_server_ts, event_nid LIMIT 1"
                : "SELECT " + COLUMNS + " FROM roomserver_events WHERE room_nid = ? AND origin_server_ts <= ? "
                        + "ORDER BY origin_server_ts DESC, event_nid DESC LIMIT 1";
        return Sql.one(c, sql, EventsTable::row, roomNid, ts);
    }

    private static EventRow row(ResultSet rs) throws SQLException {
        return new EventRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                rs.getLong(7), rs.getString(8), rs.getLong(9), rs.getString(10), rs.getString(11));
    }
}
