package dev.myelin.userapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Tables e2e_room_keys_versions and e2e_room_keys: server-side key backup (encrypted session data, opaque to us). */
public final class RoomKeysTables {
    private RoomKeysTables() {}

    /** One backup version. {@code etag} counts changes to its keys. */
    public record Version(long version, String algorithm, String authData, long etag) {}

    /** One backed-up megolm session key. */
    public record SessionKey(String roomId, String sessionId, long firstMessageIndex, long forwardedCount, boolean isVerified,
            String sessionData) {}

    /** The newest version that is not deleted. */
    public static Optional<Version> current(Connection c, String userId) throws SQLException {
        return Sql.one(c, "SELECT version, algorithm, auth_data, etag FROM e2e_room_keys_versions WHERE user_id = ? AND deleted = 0 "
                + "ORDER BY version DESC LIMIT 1", RoomKeysTables::version, userId);
    }

    /** A version that exists and is not deleted. */
    public static Optional<Version> version(Connection c, String userId, long version) throws SQLException {
        return Sql.one(c, "SELECT version, algorithm, auth_data, etag FROM e2e_room_keys_versions WHERE user_id = ? AND version = ? AND deleted = 0",
                RoomKeysTables::version, userId, version);
    }

    private static Version version(java.sql.ResultSet rs) throws SQLException {
        return new Version(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4));
    }

    /** Creates the next version (numbers are never reused, even after a delete). */
    public static long create(Connection c, String userId, String algorithm, String authData) throws SQLException {
        long next = Sql.one(c, "SELECT COALESCE(MAX(version), 0) FROM e2e_room_keys_versions WHERE user_id = ?",
                rs -> rs.getLong(1), userId).orElse(0L) + 1;
        Sql.update(c, "INSERT INTO e2e_room_keys_versions (user_id, version, algorithm, auth_data, etag, deleted) VALUES (?, ?, ?, ?, 0, 0)",
                userId, next, algorithm, authData);
        return next;
    }

    public static void updateAuthData(Connection c, String userId, long version, String authData) throws SQLException {
        Sql.update(c, "UPDATE e2e_room_keys_versions SET auth_data = ? WHERE user_id = ? AND version = ?", authData, userId, version);
    }

    public static void delete(Connection c, String userId, long version) throws SQLException {
        Sql.update(c, "UPDATE e2e_room_keys_versions SET deleted = 1 WHERE user_id = ? AND version = ?", userId, version);
        Sql.update(c, "DELETE FROM e2e_room_keys WHERE user_id = ? AND version = ?", userId, version);
    }

    public static void bumpEtag(Connection c, String userId, long version) throws SQLException {
        Sql.update(c, "UPDATE e2e_room_keys_versions SET etag = etag + 1 WHERE user_id = ? AND version = ?", userId, version);
    }

    public static long count(Connection c, String userId, long version) throws SQLException {
        return Sql.one(c, "SELECT COUNT(*) FROM e2e_room_keys WHERE user_id = ? AND version = ?", rs -> rs.getLong(1), userId, version)
                .orElse(0L);
    }

    /** Keys of the version, narrowed to a room and a session when given. */
    public static List<SessionKey> keys(Connection c, String userId, long version, Optional<String> roomId,
            Optional<String> sessionId) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT room_id, session_id, first_message_index, forwarded_count, is_verified, session_data "
                + "FROM e2e_room_keys WHERE user_id = ? AND version = ?");
        List<Object> params = new java.util.ArrayList<>(List.of(userId, version));
        if (roomId.isPresent()) { sql.append(" AND room_id = ?"); params.add(roomId.get()); }
        if (sessionId.isPresent()) { sql.append(" AND session_id = ?"); params.add(sessionId.get()); }
        sql.append(" ORDER BY room_id, session_id");
        return Sql.list(c, sql.toString(), rs -> new SessionKey(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                rs.getInt(5) != 0, rs.getString(6)), params.toArray());
    }

    public static void put(Connection c, String userId, long version, SessionKey k) throws SQLException {
        Sql.update(c, "DELETE FROM e2e_room_keys WHERE user_id = ? AND version = ? AND room_id = ? AND session_id = ?",
                userId, version, k.roomId(), k.sessionId());
        Sql.update(c, "INSERT INTO e2e_room_keys (user_id, version, room_id, session_id, first_message_index, forwarded_count, "
                + "is_verified, session_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", userId, version, k.roomId(), k.sessionId(),
                k.firstMessageIndex(), k.forwardedCount(), k.isVerified(), k.sessionData());
    }

    /** Deletes keys of the version (narrowed as in {@link #keys}); returns how many. */
    public static int deleteKeys(Connection c, String userId, long version, Optional<String> roomId, Optional<String> sessionId)
            throws SQLException {
        StringBuilder sql = new StringBuilder("DELETE FROM e2e_room_keys WHERE user_id = ? AND version = ?");
        List<Object> params = new java.util.ArrayList<>(List.of(userId, version));
        if (roomId.isPresent()) { sql.append(" AND room_id = ?"); params.add(roomId.get()); }
        if (sessionId.isPresent()) { sql.append(" AND session_id = ?"); params.add(sessionId.get()); }
        return Sql.update(c, sql.toString(), params.toArray());
    }
}
