package dev.myelin.userapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * {@code access_tokens}, {@code refresh_tokens}, {@code login_tokens} and {@code openid_tokens}: every secret a
 * client holds, stored only as its SHA-256 hash (see {@code Tokens.hash}).
 */
public final class TokensTables {
    private TokensTables() {}

    /** An access token's row. */
    public record AccessToken(String tokenHash, String localpart, String deviceId, long createdTs,
            Optional<Long> expiresTs, Optional<String> previousRefreshHash) {}

    public static void insertAccess(Connection c, String hash, String localpart, String deviceId, long now,
            Optional<Long> expiresTs, Optional<String> previousRefreshHash) throws SQLException {
        Sql.update(c, "INSERT INTO access_tokens (token_hash, localpart, device_id, created_ts, expires_ts,"
                + " previous_refresh_hash) VALUES (?, ?, ?, ?, ?, ?)",
                hash, localpart, deviceId, now, expiresTs, previousRefreshHash);
    }

    public static Optional<AccessToken> selectAccess(Connection c, String hash) throws SQLException {
        return Sql.one(c, "SELECT token_hash, localpart, device_id, created_ts, expires_ts, previous_refresh_hash"
                + " FROM access_tokens WHERE token_hash = ?",
                rs -> new AccessToken(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        Sql.optionalLong(rs, "expires_ts"), Optional.ofNullable(rs.getString(6))), hash);
    }

    public static void clearPreviousRefresh(Connection c, String hash) throws SQLException {
        Sql.update(c, "UPDATE access_tokens SET previous_refresh_hash = NULL WHERE token_hash = ?", hash);
    }

    /** The hashes of a device's access tokens (to drop them from caches before deleting them). */
    public static List<String> accessHashesOfDevice(Connection c, String localpart, String deviceId) throws SQLException {
        return Sql.list(c, "SELECT token_hash FROM access_tokens WHERE localpart = ? AND device_id = ?",
                rs -> rs.getString(1), localpart, deviceId);
    }

    public static List<String> accessHashesOfUser(Connection c, String localpart) throws SQLException {
        return Sql.list(c, "SELECT token_hash FROM access_tokens WHERE localpart = ?", rs -> rs.getString(1), localpart);
    }

    public static void deleteAccess(Connection c, String hash) throws SQLException {
        Sql.update(c, "DELETE FROM access_tokens WHERE token_hash = ?", hash);
    }

    /** Deletes every access and refresh token of the device. */
    public static void deleteDeviceTokens(Connection c, String localpart, String deviceId) throws SQLException {
        Sql.update(c, "DELETE FROM access_tokens WHERE localpart = ? AND device_id = ?", localpart, deviceId);
        Sql.update(c, "DELETE FROM refresh_tokens WHERE localpart = ? AND device_id = ?", localpart, deviceId);
    }

    /** A refresh token's owner. */
    public record RefreshToken(String tokenHash, String localpart, String deviceId) {}

    public static void insertRefresh(Connection c, String hash, String localpart, String deviceId, long now) throws SQLException {
        Sql.update(c, "INSERT INTO refresh_tokens (token_hash, localpart, device_id, created_ts) VALUES (?, ?, ?, ?)",
                hash, localpart, deviceId, now);
    }

    public static Optional<RefreshToken> selectRefresh(Connection c, String hash) throws SQLException {
        return Sql.one(c, "SELECT token_hash, localpart, device_id FROM refresh_tokens WHERE token_hash = ?",
                rs -> new RefreshToken(rs.getString(1), rs.getString(2), rs.getString(3)), hash);
    }

    public static void deleteRefresh(Connection c, String hash) throws SQLException {
        Sql.update(c, "DELETE FROM refresh_tokens WHERE token_hash = ?", hash);
    }

    /** The access tokens minted by a refresh token's predecessor chain: those issued alongside {@code refreshHash}. */
    public static List<String> accessHashesIssuedWith(Connection c, String refreshHash) throws SQLException {
        return Sql.list(c, "SELECT token_hash FROM access_tokens WHERE previous_refresh_hash = ?",
                rs -> rs.getString(1), refreshHash);
    }

    // Single-purpose short-lived tokens: m.login.token and OpenID.

    public static void insertLogin(Connection c, String hash, String localpart, long expiresTs) throws SQLException {
        Sql.update(c, "INSERT INTO login_tokens (token_hash, localpart, expires_ts) VALUES (?, ?, ?)", hash, localpart, expiresTs);
    }

    /** Deletes the login token and returns its owner if it had not expired. */
    public static Optional<String> consumeLogin(Connection c, String hash, long now) throws SQLException {
        Optional<String> owner = Sql.one(c, "SELECT localpart FROM login_tokens WHERE token_hash = ? AND expires_ts > ?",
                rs -> rs.getString(1), hash, now);
        Sql.update(c, "DELETE FROM login_tokens WHERE token_hash = ? OR expires_ts <= ?", hash, now);
        return owner;
    }

    public static void insertOpenId(Connection c, String hash, String localpart, long expiresTs) throws SQLException {
        Sql.update(c, "DELETE FROM openid_tokens WHERE expires_ts <= ?", expiresTs - 86_400_000L * 7);
        Sql.update(c, "INSERT INTO openid_tokens (token_hash, localpart, expires_ts) VALUES (?, ?, ?)", hash, localpart, expiresTs);
    }

    public static Optional<String> selectOpenId(Connection c, String hash, long now) throws SQLException {
        return Sql.one(c, "SELECT localpart FROM openid_tokens WHERE token_hash = ? AND expires_ts > ?",
                rs -> rs.getString(1), hash, now);
    }

    /** Removes every token of every kind a user holds (deactivation). */
    public static void deleteAllOfUser(Connection c, String localpart) throws SQLException {
        for (String table : List.of("access_tokens", "refresh_tokens", "login_tokens", "openid_tokens")) {
            Sql.update(c, "DELETE FROM " + table + " WHERE localpart = ?", localpart);
        }
    }
}
