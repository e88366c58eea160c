package dev.myelin.userapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** {@code accounts}: one row per local account, with its password hash and flags. */
public final class AccountsTable {
    private AccountsTable() {}

    /** A stored account. */
    public record Row(String localpart, Optional<String> passwordHash, long createdTs, boolean isGuest,
            boolean isAdmin, boolean deactivated, Optional<String> userType, boolean erased) {
        @Override
        public String toString() { // why: never log a password hash
            return "AccountsTable.Row[" + localpart + ", guest=" + isGuest + ", admin=" + isAdmin + ", deactivated=" + deactivated + "]";
        }
    }

    /** Inserts the account; false if the localpart is taken (by any account, deactivated or not). */
    public static boolean insert(Connection c, String localpart, Optional<String> passwordHash, long now, boolean guest,
            boolean admin, Optional<String> userType) throws SQLException {
        return Sql.update(c, "INSERT INTO accounts (localpart, password_hash, created_ts, is_guest, is_admin, user_type)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (localpart) DO NOTHING",
                localpart, passwordHash, now, guest, admin, userType) == 1;
    }

    public static Optional<Row> select(Connection c, String localpart) throws SQLException {
        return Sql.one(c, "SELECT a.localpart, a.password_hash, a.created_ts, a.is_guest, a.is_admin, a.deactivated,"
                + " a.user_type, e.localpart FROM accounts a LEFT JOIN user_erasures e ON e.localpart = a.localpart"
                + " WHERE a.localpart = ?", rs -> new Row(rs.getString(1), Optional.ofNullable(rs.getString(2)),
                rs.getLong(3), rs.getInt(4) != 0, rs.getInt(5) != 0, rs.getInt(6) != 0,
                Optional.ofNullable(rs.getString(7)), rs.getString(8) != null), localpart);
    }

    /** Records that the user asked for erasure (idempotent). */
    public static void markErased(Connection c, String localpart, long now) throws SQLException {
        Sql.update(c, "INSERT INTO user_erasures (localpart, erased_ts) VALUES (?, ?) ON CONFLICT (localpart) DO NOTHING",
                localpart, now);
    }

    /** Records that the deactivated user still has rooms to leave. */
    public static void markRoomsPending(Connection c, String localpart) throws SQLException {
        Sql.update(c, "INSERT INTO users_pending_deactivation (localpart) VALUES (?) ON CONFLICT (localpart) DO NOTHING",
                localpart);
    }

    public static void clearRoomsPending(Connection c, String localpart) throws SQLException {
        Sql.update(c, "DELETE FROM users_pending_deactivation WHERE localpart = ?", localpart);
    }

    /** Deactivated users whose rooms are not yet all left. */
    public static java.util.List<String> roomsPending(Connection c) throws SQLException {
        return Sql.list(c, "SELECT localpart FROM users_pending_deactivation ORDER BY localpart", rs -> rs.getString(1));
    }

    /** The localparts of every erased user. */
    public static java.util.List<String> erased(Connection c) throws SQLException {
        return Sql.list(c, "SELECT localpart FROM user_erasures", rs -> rs.getString(1));
    }

    public static void setPasswordHash(Connection c, String localpart, Optional<String> hash) throws SQLException {
        Sql.update(c, "UPDATE accounts SET password_hash = ? WHERE localpart = ?", hash, localpart);
    }

    /** Makes a guest a full account with a password; false if the account is not an active guest. */
    public static boolean upgradeGuest(Connection c, String localpart, String passwordHash) throws SQLException {
        return Sql.update(c, "UPDATE accounts SET is_guest = 0, password_hash = ? WHERE localpart = ? AND is_guest = 1"
                + " AND deactivated = 0", passwordHash, localpart) == 1;
    }

    public static void setAdmin(Connection c, String localpart, boolean admin) throws SQLException {
        Sql.update(c, "UPDATE accounts SET is_admin = ? WHERE localpart = ?", admin, localpart);
    }

    /** Marks the account deactivated and forgets its password (the localpart stays taken forever). */
    public static void deactivate(Connection c, String localpart) throws SQLException {
        Sql.update(c, "UPDATE accounts SET deactivated = 1, password_hash = NULL WHERE localpart = ?", localpart);
    }
}
