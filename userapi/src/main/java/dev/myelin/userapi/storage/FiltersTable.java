package dev.myelin.userapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** {@code filters}: the filters a user uploaded, numbered per user from 0. */
public final class FiltersTable {
    private FiltersTable() {}

    /** Stores the filter under the user's next number and returns it; an identical filter gets its old number. */
    public static long insert(Connection c, String localpart, String filterJson) throws SQLException {
        Optional<Long> same = Sql.one(c, "SELECT filter_id FROM filters WHERE localpart = ? AND filter_json = ?",
                rs -> rs.getLong(1), localpart, filterJson);
        if (same.isPresent()) return same.get();
        long next = Sql.one(c, "SELECT COALESCE(MAX(filter_id) + 1, 0) FROM filters WHERE localpart = ?",
                rs -> rs.getLong(1), localpart).orElse(0L);
        Sql.update(c, "INSERT INTO filters (localpart, filter_id, filter_json) VALUES (?, ?, ?)", localpart, next, filterJson);
        return next;
    }

    public static Optional<String> select(Connection c, String localpart, long filterId) throws SQLException {
        return Sql.one(c, "SELECT filter_json FROM filters WHERE localpart = ? AND filter_id = ?",
                rs -> rs.getString(1), localpart, filterId);
    }
}
