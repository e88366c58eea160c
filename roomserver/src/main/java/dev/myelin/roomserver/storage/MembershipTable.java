package dev.myelin.roomserver.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** {@code roomserver_membership}: each user's current membership of each room, kept with the room's current state. */
public final class MembershipTable {
    private MembershipTable() {}

    /** A user's membership of a room, the event that set it, and whether they forgot the room. */
    public record MembershipRow(long roomNid, String userId, String membership, long eventNid, boolean forgotten) {}

    public static void set(Connection tx, long roomNid, String userId, String membership, long eventNid) throws SQLException {
        // why: a new membership event un-forgets the room (forget applies to the membership it was made in)
        Sql.update(tx, "INSERT INTO roomserver_membership (room_nid, user_id, membership, event_nid, forgotten) "
                + "VALUES (?, ?, ?, ?, FALSE) ON CONFLICT (room_nid, user_id) DO UPDATE SET membership = excluded.membership, "
                + "event_nid = excluded.event_nid, forgotten = FALSE", roomNid, userId, membership, eventNid);
    }

    public static Optional<MembershipRow> get(Connection c, long roomNid, String userId) throws SQLException {
        return Sql.one(c, "SELECT room_nid, user_id, membership, event_nid, forgotten FROM roomserver_membership "
                + "WHERE room_nid = ? AND user_id = ?", MembershipTable::row, roomNid, userId);
    }

    public static void forget(Connection tx, long roomNid, String userId) throws SQLException {
        Sql.update(tx, "UPDATE roomserver_membership SET forgotten = TRUE WHERE room_nid = ? AND user_id = ?", roomNid, userId);
    }

    /** The room IDs where {@code userId} has {@code membership}. */
    public static List<String> roomsOf(Connection c, String userId, String membership) throws SQLException {
        return Sql.list(c, "SELECT r.room_id FROM roomserver_membership m JOIN roomserver_rooms r ON r.room_nid = m.room_nid "
                + "WHERE m.user_id = ? AND m.membership = ? ORDER BY r.room_nid", rs -> rs.getString(1), userId, membership);
    }

    /** The room IDs {@code userId} has forgotten (a later membership clears the flag). */
    public static List<String> forgottenRooms(Connection c, String userId) throws SQLException {
        return Sql.list(c, "SELECT r.room_id FROM roomserver_membership m JOIN roomserver_rooms r ON r.room_nid = m.room_nid "
                + "WHERE m.user_id = ? AND m.forgotten = TRUE", rs -> rs.getString(1), userId);
    }

    public static List<MembershipRow> inRoom(Connection c, long roomNid) throws SQLException {
        return Sql.list(c, "SELECT room_nid, user_id, membership, event_nid, forgotten FROM roomserver_membership "
                + "WHERE room_nid = ? ORDER BY user_id", MembershipTable::row, roomNid);
    }

    private static MembershipRow row(java.sql.ResultSet rs) throws SQLException {
        return new MembershipRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getBoolean(5));
    }
}
