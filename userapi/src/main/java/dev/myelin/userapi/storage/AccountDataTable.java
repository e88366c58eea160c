package dev.myelin.userapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** {@code account_data}: a user's global ({@code room_id} '') and per-room account data, by type. */
public final class AccountDataTable {
    private AccountDataTable() {}

    public record Row(String roomId, String type, String contentJson) {}

    /** One entry with the position of its latest write. */
    public record Change(String roomId, String type, String contentJson, long position) {}

    /**
     * Writes an entry at the next account data position and returns that position. why: the counter row's lock is held until the
     * transaction ends, so positions commit in order and a reader never sees position n+1 before n.
     */
    public static long upsert(Connection c, String localpart, String roomId, String type, String contentJson) throws SQLException {
        long pos = Sql.one(c, "UPDATE account_data_head SET pos = pos + 1 WHERE id = 1 RETURNING pos", rs -> rs.getLong(1))
                .orElseThrow();
        Sql.update(c, "INSERT INTO account_data (localpart, room_id, type, content_json, stream_pos) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (localpart, room_id, type) DO UPDATE SET content_json = excluded.content_json,"
                + " stream_pos = excluded.stream_pos",
                localpart, roomId, type, contentJson, pos);
        return pos;
    }

    /** The last account data position written, 0 before any. */
    public static long head(Connection c) throws SQLException {
        return Sql.one(c, "SELECT pos FROM account_data_head WHERE id = 1", rs -> rs.getLong(1)).orElse(0L);
    }

    /** The user's entries last written after {@code after} and at most at {@code upTo}, in position order. */
    public static List<Change> changes(Connection c, String localpart, long after, long upTo) throws SQLException {
        return Sql.list(c, "SELECT room_id, type, content_json, stream_pos FROM account_data WHERE localpart = ?"
                + " AND stream_pos > ? AND stream_pos <= ? ORDER BY stream_pos",
                rs -> new Change(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)), localpart, after, upTo);
    }

    public static Optional<String> select(Connection c, String localpart, String roomId, String type) throws SQLException {
        return Sql.one(c, "SELECT content_json FROM account_data WHERE localpart = ? AND room_id = ? AND type = ?",
                rs -> rs.getString(1), localpart, roomId, type);
    }

    public static List<Row> selectAll(Connection c, String localpart) throws SQLException {
        return Sql.list(c, "SELECT room_id, type, content_json FROM account_data WHERE localpart = ? ORDER BY room_id, type",
                rs -> new Row(rs.getString(1), rs.getString(2), rs.getString(3)), localpart);
    }

    public static void deleteAll(Connection c, String localpart) throws SQLException {
        Sql.update(c, "DELETE FROM account_data WHERE localpart = ?", localpart);
    }
}
