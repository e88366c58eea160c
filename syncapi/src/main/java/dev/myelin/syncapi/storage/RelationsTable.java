package dev.myelin.syncapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** {@code sync_relations}: which event relates to which ({@code m.relates_to}), with the child's type and sender. */
public final class RelationsTable {
    private RelationsTable() {}

    /** One relation: {@code eventId} relates to {@code relatesTo} with {@code relType}. */
    public record Row(String eventId, String roomId, String relatesTo, String relType, String eventType, String sender,
                      long eventNid, long pos) {}

    private static final String COLUMNS = "event_id, room_id, relates_to, rel_type, event_type, sender, event_nid, pos";

    public static void insert(Connection tx, Row r) throws SQLException {
        Sql.update(tx, "INSERT INTO sync_relations (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (event_id) DO NOTHING",
                r.eventId(), r.roomId(), r.relatesTo(), r.relType(), r.eventType(), r.sender(), r.eventNid(), r.pos());
    }

    /** Removes the relation of a redacted event (a redacted event relates to nothing). */
    public static void delete(Connection tx, String eventId) throws SQLException {
        Sql.update(tx, "DELETE FROM sync_relations WHERE event_id = ?", eventId);
    }

    /** The relation of {@code eventId} to its parent, if it has one. */
    public static java.util.Optional<Row> of(Connection c, String eventId) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM sync_relations WHERE event_id = ?", RelationsTable::row, eventId);
    }

    /** Every relation whose parent is one of {@code parents}, oldest first. */
    public static List<Row> children(Connection c, Collection<String> parents) throws SQLException {
        List<Row> out = new ArrayList<>();
        List<String> all = List.copyOf(parents);
        for (int i = 0; i < all.size(); i += 200) {
            List<String> part = all.subList(i, Math.min(all.size(), i + 200));
            String marks = String.join(", ", java.util.Collections.nCopies(part.size(), "?"));
            out.addAll(Sql.list(c, "SELECT " + COLUMNS + " FROM sync_relations WHERE relates_to IN (" + marks + ") ORDER BY pos",
                    RelationsTable::row, part.toArray()));
        }
        out.sort(java.util.Comparator.comparingLong(Row::pos));
        return out;
    }

    /** The annotations {@code sender} sent to {@code relatesTo} with event type {@code eventType} (none redacted). */
    public static List<Row> annotationsBy(Connection c, String roomId, String relatesTo, String sender, String eventType)
            throws SQLException {
        return Sql.list(c, "SELECT " + COLUMNS + " FROM sync_relations WHERE relates_to = ? AND rel_type = 'm.annotation' "
                + "AND room_id = ? AND sender = ? AND event_type = ?", RelationsTable::row, relatesTo, roomId, sender, eventType);
    }

    /** Thread roots of the room with their latest reply position, most recently active first, below {@code before}. */
    public static List<long[]> threadActivity(Connection c, String roomId, long before, int limit) throws SQLException {
        return Sql.list(c, "SELECT MAX(pos) FROM sync_relations WHERE room_id = ? AND rel_type = 'm.thread' "
                        + "GROUP BY relates_to HAVING MAX(pos) < ? ORDER BY MAX(pos) DESC LIMIT ?",
                rs -> new long[] {rs.getLong(1)}, roomId, before, limit);
    }

    /** The relation at position {@code pos} of a thread (to find the root of a thread activity entry). */
    public static List<Row> atPositions(Connection c, String roomId, Collection<Long> positions) throws SQLException {
        List<Row> out = new ArrayList<>();
        for (Long pos : positions) {
            out.addAll(Sql.list(c, "SELECT " + COLUMNS + " FROM sync_relations WHERE room_id = ? AND pos = ? AND rel_type = 'm.thread'",
                    RelationsTable::row, roomId, pos));
        }
        return out;
    }

    private static Row row(java.sql.ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getLong(7), rs.getLong(8));
    }
}
