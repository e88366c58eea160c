package dev.myelin.userapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Table e2e_device_keys: each device's identity keys, as the signed JSON object its client uploaded. */
public final class DeviceKeysTable {
    private DeviceKeysTable() {}

    /** One device's keys. */
    public record Row(String userId, String deviceId, String keyJson) {}

    public static Optional<String> select(Connection c, String userId, String deviceId) throws SQLException {
        return Sql.one(c, "SELECT key_json FROM e2e_device_keys WHERE user_id = ? AND device_id = ?",
                rs -> rs.getString(1), userId, deviceId);
    }

    public static List<Row> selectUser(Connection c, String userId) throws SQLException {
        return Sql.list(c, "SELECT user_id, device_id, key_json FROM e2e_device_keys WHERE user_id = ? ORDER BY device_id",
                rs -> new Row(rs.getString(1), rs.getString(2), rs.getString(3)), userId);
    }

    /** Inserts the device's keys unless it has some already (a concurrent upload); true when inserted. */
    public static boolean insert(Connection c, String userId, String deviceId, String keyJson, long now) throws SQLException {
        return Sql.update(c, "INSERT INTO e2e_device_keys (user_id, device_id, key_json, added_ts) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (user_id, device_id) DO NOTHING", userId, deviceId, keyJson, now) == 1;
    }

    public static void update(Connection c, String userId, String deviceId, String keyJson) throws SQLException {
        Sql.update(c, "UPDATE e2e_device_keys SET key_json = ? WHERE user_id = ? AND device_id = ?", keyJson, userId, deviceId);
    }

    /** Removes every key of a device: identity keys, one-time keys, fallback keys and signatures made on it. */
    public static void deleteDevice(Connection c, String userId, String deviceId) throws SQLException {
        Sql.update(c, "DELETE FROM e2e_device_keys WHERE user_id = ? AND device_id = ?", userId, deviceId);
        Sql.update(c, "DELETE FROM e2e_one_time_keys WHERE user_id = ? AND device_id = ?", userId, deviceId);
        Sql.update(c, "DELETE FROM e2e_fallback_keys WHERE user_id = ? AND device_id = ?", userId, deviceId);
        Sql.update(c, "DELETE FROM e2e_cross_signing_sigs WHERE target_user_id = ? AND target_key_id = ?", userId, deviceId);
    }
}
