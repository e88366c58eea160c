package dev.myelin.roomserver.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** {@code roomserver_room_aliases} and {@code roomserver_published_rooms}: local aliases and the room directory. */
public final class AliasesTable {
    private AliasesTable() {}

    /** An alias, its room and who created it. */
    public record AliasRow(String alias, String roomId, String creator) {}

    /** Adds the alias; false when it is taken. */
    public static boolean insert(Connection tx, String alias, String roomId, String creator) throws SQLException {
        return Sql.update(tx, "INSERT INTO roomserver_room_aliases (alias, room_id, creator) VALUES (?, ?, ?) "
                + "ON CONFLICT (alias) DO NOTHING", alias, roomId, creator) == 1;
    }

    public static Optional<AliasRow> get(Connection c, String alias) throws SQLException {
        return Sql.one(c, "SELECT alias, room_id, creator FROM roomserver_room_aliases WHERE alias = ?",
                rs -> new AliasRow(rs.getString(1), rs.getString(2), rs.getString(3)), alias);
    }

    public static void delete(Connection tx, String alias) throws SQLException {
        Sql.update(tx, "DELETE FROM roomserver_room_aliases WHERE alias = ?", alias);
    }

    public static List<String> ofRoom(Connection c, String roomId) throws SQLException {
        return Sql.list(c, "SELECT alias FROM roomserver_room_aliases WHERE room_id = ? ORDER BY alias",
                rs -> rs.getString(1), roomId);
    }

    public static void setPublished(Connection tx, String roomId, boolean published) throws SQLException {
        if (published) {
            Sql.update(tx, "INSERT INTO roomserver_published_rooms (room_id) VALUES (?) ON CONFLICT (room_id) DO NOTHING", roomId);
        } else {
            Sql.update(tx, "DELETE FROM roomserver_published_rooms WHERE room_id = ?", roomId);
        }
    }

    public static boolean isPublished(Connection c, String roomId) throws SQLException {
        return Sql.one(c, "SELECT 1 FROM roomserver_published_rooms WHERE room_id = ?", rs -> 1, roomId).isPresent();
    }

    public static List<String> published(Connection c) throws SQLException {
        return Sql.list(c, "SELECT room_id FROM roomserver_published_rooms ORDER BY room_id", rs -> rs.getString(1));
    }
}
