package dev.myelin.roomserver.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** {@code roomserver_rooms}: one row per room with its version, forward extremities and current state snapshot. */
public final class RoomsTable {
    private RoomsTable() {}

    /** A room's row. */
    public record RoomRow(long roomNid, String roomId, String roomVersion, List<Long> latestEventNids,
                          long stateSnapshotNid, long maxDepth) {}

    private static final String COLUMNS = "room_nid, room_id, room_version, latest_event_nids, state_snapshot_nid, max_depth";

    public static long insert(Connection tx, String roomId, String roomVersion) throws SQLException {
        return Sql.insertReturning(tx, "INSERT INTO roomserver_rooms (room_id, room_version, latest_event_nids, "
                + "state_snapshot_nid, max_depth) VALUES (?, ?, '', 0, 0) RETURNING room_nid", roomId, roomVersion);
    }

    public static Optional<RoomRow> byId(Connection c, String roomId) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM roomserver_rooms WHERE room_id = ?", RoomsTable::row, roomId);
    }

    public static Optional<RoomRow> byNid(Connection c, long roomNid) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM roomserver_rooms WHERE room_nid = ?", RoomsTable::row, roomNid);
    }

    /**
     * Moves the room's head from {@code expectedLatest} to the new forward extremities; false (nothing changed)
     * when the head is no longer {@code expectedLatest}, i.e. another writer moved it first.
     */
    public static boolean updateHead(Connection tx, long roomNid, List<Long> expectedLatest, List<Long> latestEventNids,
                                     long stateSnapshotNid, long maxDepth) throws SQLException {
        return Sql.update(tx, "UPDATE roomserver_rooms SET latest_event_nids = ?, state_snapshot_nid = ?, max_depth = ? "
                + "WHERE room_nid = ? AND latest_event_nids = ?", Sql.joinLongs(latestEventNids), stateSnapshotNid,
                maxDepth, roomNid, Sql.joinLongs(expectedLatest)) == 1;
    }

    private static RoomRow row(java.sql.ResultSet rs) throws SQLException {
        return new RoomRow(rs.getLong(1), rs.getString(2), rs.getString(3), Sql.splitLongs(rs.getString(4)),
                rs.getLong(5), rs.getLong(6));
    }
}
