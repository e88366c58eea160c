package dev.myelin.syncapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * {@code sync_presence}: each user's presence as last set, at a presence position, with the last time they were
 * active and the last time a sync of theirs was seen in flight (for the offline timeout).
 */
public final class PresenceTable {
    private PresenceTable() {}

    public record Row(String userId, String presence, String statusMsg, long lastActiveTs, long lastSyncTs, long pos) {}

    private static final String COLUMNS = "user_id, presence, status_msg, last_active_ts, last_sync_ts, pos";

    public static void upsert(Connection tx, Row r) throws SQLException {
        Sql.update(tx, "INSERT INTO sync_presence (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (user_id) DO UPDATE SET presence = excluded.presence, status_msg = excluded.status_msg, "
                        + "last_active_ts = excluded.last_active_ts, last_sync_ts = excluded.last_sync_ts, pos = excluded.pos",
                r.userId(), r.presence(), r.statusMsg(), r.lastActiveTs(), r.lastSyncTs(), r.pos());
    }

    public static Optional<Row> get(Connection c, String userId) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM sync_presence WHERE user_id = ?", PresenceTable::row, userId);
    }

    /** Records activity that changes no state (so no position): {@code last_active_ts} moves forward only. */
    public static void touchActive(Connection tx, String userId, long ts) throws SQLException {
        Sql.update(tx, "UPDATE sync_presence SET last_active_ts = ? WHERE user_id = ? AND last_active_ts < ?", ts, userId, ts);
    }

    /** Records that a sync of {@code userId} was in flight at {@code ts}; moves forward only. */
    public static void touchSync(Connection tx, String userId, long ts) throws SQLException {
        Sql.update(tx, "UPDATE sync_presence SET last_sync_ts = ? WHERE user_id = ? AND last_sync_ts < ?", ts, userId, ts);
    }

    /**
     * Users who are not offline and either have not synced nor been active since {@code quietSince}, or are online
     * and have not been active since {@code idleSince}: the candidates of a timeout sweep.
     */
    public static List<Row> timeoutCandidates(Connection c, long quietSince, long idleSince) throws SQLException {
        return Sql.list(c, "SELECT " + COLUMNS + " FROM sync_presence WHERE presence <> 'offline' AND "
                + "((last_sync_ts < ? AND last_active_ts < ?) OR (presence = 'online' AND last_active_ts < ?))",
                PresenceTable::row, quietSince, quietSince, idleSince);
    }

    /** Moves {@code userId} from {@code from} to {@code to} at {@code pos}; false when the state was no longer {@code from}. */
    public static boolean transition(Connection tx, String userId, String from, String to, long pos) throws SQLException {
        return Sql.update(tx, "UPDATE sync_presence SET presence = ?, pos = ? WHERE user_id = ? AND presence = ?",
                to, pos, userId, from) == 1;
    }

    /**
     * Presence set in {@code (after, upTo]} by {@code userId} or by users sharing a joined room with them; without
     * {@code includeOffline}, only users who are not offline.
     */
    public static List<Row> changedFor(Connection c, String userId, long after, long upTo, boolean includeOffline)
            throws SQLException {
        return Sql.list(c, "SELECT p.user_id, p.presence, p.status_msg, p.last_active_ts, p.last_sync_ts, p.pos FROM sync_presence p "
                + "WHERE p.pos > ? AND p.pos <= ? " + (includeOffline ? "" : "AND p.presence <> 'offline' ")
                + "AND (p.user_id = ? OR EXISTS (SELECT 1 FROM sync_current_state a "
                + "JOIN sync_current_state b ON a.room_id = b.room_id WHERE a.type = 'm.room.member' AND a.state_key = ? "
                + "AND a.membership = 'join' AND b.type = 'm.room.member' AND b.state_key = p.user_id "
                + "AND b.membership = 'join')) ORDER BY p.pos", PresenceTable::row, after, upTo, userId, userId);
    }

    /** The presence, as of position {@code upTo}, of the users joined to {@code roomId} who are not offline. */
    public static List<Row> ofJoinedMembers(Connection c, String roomId, long upTo) throws SQLException {
        return Sql.list(c, "SELECT p.user_id, p.presence, p.status_msg, p.last_active_ts, p.last_sync_ts, p.pos FROM sync_presence p "
                + "JOIN sync_current_state m ON m.state_key = p.user_id WHERE m.room_id = ? AND m.type = 'm.room.member' "
                + "AND m.membership = 'join' AND p.pos <= ? AND p.presence <> 'offline' ORDER BY p.pos", PresenceTable::row, roomId, upTo);
    }

    private static Row row(java.sql.ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getLong(6));
    }
}
