package dev.myelin.syncapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** {@code sync_presence}: each user's presence as last set, at a presence position. */
public final class PresenceTable {
    private PresenceTable() {}

    public record Row(String userId, String presence, String statusMsg, long lastActiveTs, long pos) {}

    public static void upsert(Connection tx, Row r) throws SQLException {
        Sql.update(tx, "INSERT INTO sync_presence (user_id, presence, status_msg, last_active_ts, pos) VALUES (?, ?, ?, ?, ?) "
                        + "ON CONFLICT (user_id) DO UPDATE SET presence = excluded.presence, status_msg = excluded.status_msg, "
                        + "last_active_ts = excluded.last_active_ts, pos = excluded.pos",
                r.userId(), r.presence(), r.statusMsg(), r.lastActiveTs(), r.pos());
    }

    public static Optional<Row> get(Connection c, String userId) throws SQLException {
        return Sql.one(c, "SELECT user_id, presence, status_msg, last_active_ts, pos FROM sync_presence WHERE user_id = ?",
                PresenceTable::row, userId);
    }

    /** Presence set in {@code (after, upTo]} by {@code userId} or by users sharing a joined room with them. */
    public static List<Row> changedFor(Connection c, String userId, long after, long upTo) throws SQLException {
        return Sql.list(c, "SELECT p.user_id, p.presence, p.status_msg, p.last_active_ts, p.pos FROM sync_presence p "
                + "WHERE p.pos > ? AND p.pos <= ? AND (p.user_id = ? OR EXISTS (SELECT 1 FROM sync_current_state a "
                + "JOIN sync_current_state b ON a.room_id = b.room_id WHERE a.type = 'm.room.member' AND a.state_key = ? "
                + "AND a.membership = 'join' AND b.type = 'm.room.member' AND b.state_key = p.user_id "
                + "AND b.membership = 'join')) ORDER BY p.pos", PresenceTable::row, after, upTo, userId, userId);
    }

    private static Row row(java.sql.ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5));
    }
}
