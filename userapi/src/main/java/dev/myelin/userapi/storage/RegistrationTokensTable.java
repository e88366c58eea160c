package dev.myelin.userapi.storage;

import dev.myelin.userapi.api.RegistrationToken;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** {@code registration_tokens}: tokens that allow registering when registration requires one, with their use counts. */
public final class RegistrationTokensTable {
    private RegistrationTokensTable() {}

    private static final String COLUMNS = "token, uses_allowed, pending, completed, expiry_time";

    private static RegistrationToken read(ResultSet rs) throws SQLException {
        return new RegistrationToken(rs.getString(1), Sql.optionalLong(rs, "uses_allowed").map(Long::intValue),
                rs.getInt(3), rs.getInt(4), Sql.optionalLong(rs, "expiry_time"));
    }

    public static boolean insert(Connection c, String token, Optional<Integer> usesAllowed, Optional<Long> expiry) throws SQLException {
        return Sql.update(c, "INSERT INTO registration_tokens (token, uses_allowed, expiry_time) VALUES (?, ?, ?)"
                + " ON CONFLICT (token) DO NOTHING", token, usesAllowed, expiry) == 1;
    }

    public static List<RegistrationToken> selectAll(Connection c) throws SQLException {
        return Sql.list(c, "SELECT " + COLUMNS + " FROM registration_tokens ORDER BY token", RegistrationTokensTable::read);
    }

    public static Optional<RegistrationToken> select(Connection c, String token) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM registration_tokens WHERE token = ?", RegistrationTokensTable::read, token);
    }

    public static void update(Connection c, String token, Optional<Integer> usesAllowed, Optional<Long> expiry) throws SQLException {
        Sql.update(c, "UPDATE registration_tokens SET uses_allowed = ?, expiry_time = ? WHERE token = ?", usesAllowed, expiry, token);
    }

    public static boolean delete(Connection c, String token) throws SQLException {
        return Sql.update(c, "DELETE FROM registration_tokens WHERE token = ?", token) == 1;
    }

    public static void addPending(Connection c, String token, int delta) throws SQLException {
        Sql.update(c, "UPDATE registration_tokens SET pending = pending + ? WHERE token = ?", delta, token);
    }

    public static void releaseOne(Connection c, String token) throws SQLException {
        Sql.update(c, "UPDATE registration_tokens SET pending = pending - 1 WHERE token = ? AND pending > 0", token);
    }

    public static void completeOne(Connection c, String token) throws SQLException {
        Sql.update(c, "UPDATE registration_tokens SET pending = CASE WHEN pending > 0 THEN pending - 1 ELSE 0 END,"
                + " completed = completed + 1 WHERE token = ?", token);
    }
}
