package dev.myelin.syncapi.storage;

import java.sql.Connection;
import java.sql.SQLException;

/** {@code sync_counters}: the position counters of sync's own streams (receipts, presence). */
public final class CountersTable {
    private CountersTable() {}

    /** Takes the next position of {@code name}; its row stays locked until the transaction ends. */
    public static long next(Connection tx, String name) throws SQLException {
        return Sql.one(tx, "UPDATE sync_counters SET pos = pos + 1 WHERE name = ? RETURNING pos", rs -> rs.getLong(1), name)
                .orElseThrow(() -> new SQLException("no counter " + name));
    }

    public static long current(Connection c, String name) throws SQLException {
        return Sql.one(c, "SELECT pos FROM sync_counters WHERE name = ?", rs -> rs.getLong(1), name).orElse(0L);
    }
}
