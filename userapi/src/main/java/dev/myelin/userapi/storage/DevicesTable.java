package dev.myelin.userapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** {@code devices}: a user's devices, their display names and when and from where they were last seen. */
public final class DevicesTable {
    private DevicesTable() {}

    public record Row(String localpart, String deviceId, Optional<String> displayName, long createdTs,
            Optional<Long> lastSeenTs, Optional<String> lastSeenIp, Optional<String> lastSeenUserAgent) {}

    private static final String COLUMNS =
            "localpart, device_id, display_name, created_ts, last_seen_ts, last_seen_ip, last_seen_user_agent";

    private static Row read(java.sql.ResultSet rs) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), Optional.ofNullable(rs.getString(3)), rs.getLong(4),
                Sql.optionalLong(rs, "last_seen_ts"), Optional.ofNullable(rs.getString(6)), Optional.ofNullable(rs.getString(7)));
    }

    /** Creates the device, or keeps an existing one (setting its name only if it had none). */
    public static void upsert(Connection c, String localpart, String deviceId, Optional<String> displayName, long now,
            String ip, Optional<String> userAgent) throws SQLException {
        Sql.update(c, "INSERT INTO devices (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (localpart, device_id) DO UPDATE SET"
                + " display_name = COALESCE(devices.display_name, excluded.display_name),"
                + " last_seen_ts = excluded.last_seen_ts, last_seen_ip = excluded.last_seen_ip,"
                + " last_seen_user_agent = excluded.last_seen_user_agent",
                localpart, deviceId, displayName, now, now, ip, userAgent);
    }

    public static List<Row> selectAll(Connection c, String localpart) throws SQLException {
        return Sql.list(c, "SELECT " + COLUMNS + " FROM devices WHERE localpart = ? ORDER BY device_id",
                DevicesTable::read, localpart);
    }

    public static Optional<Row> select(Connection c, String localpart, String deviceId) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM devices WHERE localpart = ? AND device_id = ?",
                DevicesTable::read, localpart, deviceId);
    }

    public static boolean rename(Connection c, String localpart, String deviceId, Optional<String> name) throws SQLException {
        return Sql.update(c, "UPDATE devices SET display_name = ? WHERE localpart = ? AND device_id = ?",
                name, localpart, deviceId) == 1;
    }

    public static void touch(Connection c, String localpart, String deviceId, long now, String ip,
            Optional<String> userAgent) throws SQLException {
        Sql.update(c, "UPDATE devices SET last_seen_ts = ?, last_seen_ip = ?,"
                + " last_seen_user_agent = COALESCE(?, last_seen_user_agent) WHERE localpart = ? AND device_id = ?",
                now, ip, userAgent, localpart, deviceId);
    }

    public static void delete(Connection c, String localpart, String deviceId) throws SQLException {
        Sql.update(c, "DELETE FROM devices WHERE localpart = ? AND device_id = ?", localpart, deviceId);
    }
}
