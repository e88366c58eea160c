package dev.myelin.userapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** {@code threepids}: e-mail addresses and phone numbers bound to accounts (added by admins or imported). */
public final class ThreepidsTable {
    private ThreepidsTable() {}

    public static List<Map<String, Object>> select(Connection c, String localpart) throws SQLException {
        return Sql.list(c, "SELECT medium, address, validated_at, added_at FROM threepids WHERE localpart = ?"
                + " ORDER BY medium, address", rs -> Map.<String, Object>of("medium", rs.getString(1),
                "address", rs.getString(2), "validated_at", rs.getLong(3), "added_at", rs.getLong(4)), localpart);
    }

    /** Removes one identifier of the user; false if the user had no such identifier. */
    public static boolean delete(Connection c, String localpart, String medium, String address) throws SQLException {
        return Sql.update(c, "DELETE FROM threepids WHERE localpart = ? AND medium = ? AND address = ?",
                localpart, medium, address) == 1;
    }

    public static void deleteAll(Connection c, String localpart) throws SQLException {
        Sql.update(c, "DELETE FROM threepids WHERE localpart = ?", localpart);
    }
}
