package dev.myelin.userapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Tables e2e_one_time_keys and e2e_fallback_keys: the keys a device publishes for others to claim. */
public final class OneTimeKeysTable {
    private OneTimeKeysTable() {}

    /** A claimable key: {@code keyId} is the part after the algorithm in {@code <algorithm>:<keyId>}. */
    public record Key(String algorithm, String keyId, String keyJson) {}

    /** A fallback key and whether it has been handed out since it was uploaded. */
    public record Fallback(String algorithm, String keyId, String keyJson, boolean used) {}

    public static Optional<String> select(Connection c, String userId, String deviceId, String algorithm, String keyId)
            throws SQLException {
        return Sql.one(c, "SELECT key_json FROM e2e_one_time_keys WHERE user_id = ? AND device_id = ? AND algorithm = ? AND key_id = ?",
                rs -> rs.getString(1), userId, deviceId, algorithm, keyId);
    }

    /** Inserts a one-time key unless the device has one with this ID (a concurrent upload); true when inserted. */
    public static boolean insert(Connection c, String userId, String deviceId, String algorithm, String keyId, String keyJson,
            long now) throws SQLException {
        return Sql.update(c, "INSERT INTO e2e_one_time_keys (user_id, device_id, algorithm, key_id, key_json, added_ts) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, device_id, algorithm, key_id) DO NOTHING",
                userId, deviceId, algorithm, keyId, keyJson, now) == 1;
    }

    /** Unclaimed one-time keys per algorithm. */
    public static Map<String, Long> counts(Connection c, String userId, String deviceId) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        Sql.list(c, "SELECT algorithm, COUNT(*) FROM e2e_one_time_keys WHERE user_id = ? AND device_id = ? GROUP BY algorithm ORDER BY algorithm",
                rs -> out.put(rs.getString(1), rs.getLong(2)), userId, deviceId);
        return out;
    }

    /**
     * Takes the oldest-named one-time key of {@code algorithm} away from the device, or empty when none is left.
     * why: the DELETE decides who got it, so two concurrent claims (PostgreSQL) never hand out the same key.
     */
    public static Optional<Key> claim(Connection c, String userId, String deviceId, String algorithm) throws SQLException {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<Key> first = Sql.one(c, "SELECT algorithm, key_id, key_json FROM e2e_one_time_keys "
                    + "WHERE user_id = ? AND device_id = ? AND algorithm = ? ORDER BY key_id LIMIT 1",
                    rs -> new Key(rs.getString(1), rs.getString(2), rs.getString(3)), userId, deviceId, algorithm);
            if (first.isEmpty()) return first;
            int deleted = Sql.update(c, "DELETE FROM e2e_one_time_keys WHERE user_id = ? AND device_id = ? AND algorithm = ? AND key_id = ?",
                    userId, deviceId, algorithm, first.get().keyId());
            if (deleted == 1) return first;
        }
        return Optional.empty();
    }

    public static List<Fallback> fallbacks(Connection c, String userId, String deviceId) throws SQLException {
        return Sql.list(c, "SELECT algorithm, key_id, key_json, used FROM e2e_fallback_keys WHERE user_id = ? AND device_id = ? ORDER BY algorithm",
                rs -> new Fallback(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4) != 0), userId, deviceId);
    }

    public static Optional<Fallback> fallback(Connection c, String userId, String deviceId, String algorithm) throws SQLException {
        return Sql.one(c, "SELECT algorithm, key_id, key_json, used FROM e2e_fallback_keys WHERE user_id = ? AND device_id = ? AND algorithm = ?",
                rs -> new Fallback(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4) != 0), userId, deviceId, algorithm);
    }

    /** Replaces the device's fallback key of {@code algorithm}; the new key is unused. */
    public static void putFallback(Connection c, String userId, String deviceId, String algorithm, String keyId, String keyJson)
            throws SQLException {
        Sql.update(c, "DELETE FROM e2e_fallback_keys WHERE user_id = ? AND device_id = ? AND algorithm = ?", userId, deviceId, algorithm);
        Sql.update(c, "INSERT INTO e2e_fallback_keys (user_id, device_id, algorithm, key_id, key_json, used) VALUES (?, ?, ?, ?, ?, 0)",
                userId, deviceId, algorithm, keyId, keyJson);
    }

    public static void markFallbackUsed(Connection c, String userId, String deviceId, String algorithm) throws SQLException {
        Sql.update(c, "UPDATE e2e_fallback_keys SET used = 1 WHERE user_id = ? AND device_id = ? AND algorithm = ?",
                userId, deviceId, algorithm);
    }
}
