package dev.myelin.userapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code profiles}: one row per profile field of a user ({@code displayname}, {@code avatar_url}, custom fields), value as JSON. */
public final class ProfilesTable {
    private ProfilesTable() {}

    public static Map<String, String> select(Connection c, String localpart) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String[] row : Sql.list(c, "SELECT field, value_json FROM profiles WHERE localpart = ? ORDER BY field",
                rs -> new String[] {rs.getString(1), rs.getString(2)}, localpart)) {
            out.put(row[0], row[1]);
        }
        return out;
    }

    public static void upsert(Connection c, String localpart, String field, String valueJson) throws SQLException {
        Sql.update(c, "INSERT INTO profiles (localpart, field, value_json) VALUES (?, ?, ?)"
                + " ON CONFLICT (localpart, field) DO UPDATE SET value_json = excluded.value_json", localpart, field, valueJson);
    }

    public static void delete(Connection c, String localpart, String field) throws SQLException {
        Sql.update(c, "DELETE FROM profiles WHERE localpart = ? AND field = ?", localpart, field);
    }

    public static void deleteAll(Connection c, String localpart) throws SQLException {
        Sql.update(c, "DELETE FROM profiles WHERE localpart = ?", localpart);
    }

    /** An active, non-guest account whose localpart or display name contains a search term. */
    public record Match(String localpart, String displayNameJson, String avatarUrlJson) {}

    /**
     * Active non-guest accounts whose localpart or display name contains {@code needle} (lower case), by localpart,
     * at most {@code limit}.
     */
    public static java.util.List<Match> search(Connection c, String needle, int limit) throws SQLException {
        String like = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return Sql.list(c, "SELECT a.localpart, dn.value_json, av.value_json FROM accounts a "
                        + "LEFT JOIN profiles dn ON dn.localpart = a.localpart AND dn.field = 'displayname' "
                        + "LEFT JOIN profiles av ON av.localpart = a.localpart AND av.field = 'avatar_url' "
                        + "WHERE a.deactivated = 0 AND a.is_guest = 0 AND (LOWER(a.localpart) LIKE ? ESCAPE '\\' "
                        + "OR LOWER(COALESCE(dn.value_json, '')) LIKE ? ESCAPE '\\') ORDER BY a.localpart LIMIT ?",
                rs -> new Match(rs.getString(1), rs.getString(2), rs.getString(3)), like, like, limit);
    }

    /** Total size in bytes of the stored JSON of a user's profile (the spec caps a profile at 64 KiB). */
    public static long size(Connection c, String localpart) throws SQLException {
        return Sql.one(c, "SELECT COALESCE(SUM(LENGTH(field) + LENGTH(value_json)), 0) FROM profiles WHERE localpart = ?",
                rs -> rs.getLong(1), localpart).orElse(0L);
    }
}
