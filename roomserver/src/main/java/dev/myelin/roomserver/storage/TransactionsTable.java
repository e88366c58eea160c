package dev.myelin.roomserver.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** {@code roomserver_transactions}: which event a client's transaction ID produced, per user and device. */
public final class TransactionsTable {
    private TransactionsTable() {}

    public static Optional<String> find(Connection c, String userId, String deviceId, String txnKey) throws SQLException {
        return Sql.one(c, "SELECT event_id FROM roomserver_transactions WHERE user_id = ? AND device_id = ? AND txn_key = ?",
                rs -> rs.getString(1), userId, deviceId, txnKey);
    }

    /** Records the transaction ID's event unless the ID has one already; false (nothing changed) when it had. */
    public static boolean claim(Connection tx, String userId, String deviceId, String txnKey, String eventId) throws SQLException {
        return Sql.update(tx, "INSERT INTO roomserver_transactions (user_id, device_id, txn_key, event_id) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING", userId, deviceId, txnKey, eventId) == 1;
    }

    public static void insert(Connection tx, String userId, String deviceId, String txnKey, String eventId) throws SQLException {
        Sql.update(tx, "INSERT INTO roomserver_transactions (user_id, device_id, txn_key, event_id) VALUES (?, ?, ?, ?)",
                userId, deviceId, txnKey, eventId);
    }
}
