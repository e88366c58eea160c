package dev.myelin.syncapi.todevice;

import dev.myelin.platform.db.Migrations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of syncapi's E2EE part (migration set {@code todevice} inside the syncapi database): to-device inboxes,
 * handled transaction IDs and the device-list change log. Positions come from {@code todevice_heads}, whose row lock
 * makes them gap-free and committed in order, so a reader that saw position n has seen every position below it.
 */
final class E2eeTables {
    static final String MIGRATIONS = "todevice";
    static final String TO_DEVICE = "to_device";
    static final String DEVICE_LISTS = "device_lists";

    /** One to-device message waiting for a device. */
    record Message(long position, String sender, String type, String content) {}

    /** One entry of the device-list log. */
    record Change(long position, String userId, String roomId, String kind) {}

    private E2eeTables() {}

    static void migrate(dev.myelin.platform.db.Database db) {
        Migrations.apply(db, MIGRATIONS);
    }

    static long next(Connection tx, String name) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement("INSERT INTO todevice_heads (name, position) VALUES (?, 1) "
                + "ON CONFLICT (name) DO UPDATE SET position = todevice_heads.position + 1 RETURNING position")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static long head(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT position FROM todevice_heads WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** Records a transaction ID; false when it was handled before. */
    static boolean claimTxn(Connection tx, String sender, String senderDevice, String txnId, long now) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement("INSERT INTO to_device_txns (sender, sender_device, txn_id, created_ts) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT (sender, sender_device, txn_id) DO NOTHING")) {
            ps.setString(1, sender);
            ps.setString(2, senderDevice);
            ps.setString(3, txnId);
            ps.setLong(4, now);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Forgets a device's transaction IDs older than {@code before}. why: a client retries a request within seconds or
     * minutes, not days; without this the table would grow with every message sent.
     */
    static void pruneTxns(Connection tx, String sender, String senderDevice, long before) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement(
                "DELETE FROM to_device_txns WHERE sender = ? AND sender_device = ? AND created_ts < ?")) {
            ps.setString(1, sender);
            ps.setString(2, senderDevice);
            ps.setLong(3, before);
            ps.executeUpdate();
        }
    }

    static void insertMessage(Connection tx, long position, String userId, String deviceId, String sender, String type,
            String content) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement("INSERT INTO to_device_messages "
                + "(position, user_id, device_id, sender, type, content) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, position);
            ps.setString(2, userId);
            ps.setString(3, deviceId);
            ps.setString(4, sender);
            ps.setString(5, type);
            ps.setString(6, content);
            ps.executeUpdate();
        }
    }

    static List<Message> messages(Connection c, String userId, String deviceId, long after, long upTo) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT position, sender, type, content FROM to_device_messages "
                + "WHERE user_id = ? AND device_id = ? AND position > ? AND position <= ? ORDER BY position")) {
            ps.setString(1, userId);
            ps.setString(2, deviceId);
            ps.setLong(3, after);
            ps.setLong(4, upTo);
            List<Message> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Message(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
            return out;
        }
    }

    /** Deletes what the device acknowledged (positions up to {@code upTo}); returns how many. */
    static int deleteMessages(Connection tx, String userId, String deviceId, long upTo) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement(
                "DELETE FROM to_device_messages WHERE user_id = ? AND device_id = ? AND position <= ?")) {
            ps.setString(1, userId);
            ps.setString(2, deviceId);
            ps.setLong(3, upTo);
            return ps.executeUpdate();
        }
    }

    static boolean hasMessages(Connection c, String userId, String deviceId, long upTo) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM to_device_messages WHERE user_id = ? AND device_id = ? AND position <= ? LIMIT 1")) {
            ps.setString(1, userId);
            ps.setString(2, deviceId);
            ps.setLong(3, upTo);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static long insertChange(Connection tx, String userId, String roomId, String kind) throws SQLException {
        long position = next(tx, DEVICE_LISTS);
        try (PreparedStatement ps = tx.prepareStatement(
                "INSERT INTO device_list_changes (position, user_id, room_id, kind) VALUES (?, ?, ?, ?)")) {
            ps.setLong(1, position);
            ps.setString(2, userId);
            ps.setString(3, roomId);
            ps.setString(4, kind);
            ps.executeUpdate();
        }
        return position;
    }

    static List<Change> changes(Connection c, long after, long upTo) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT position, user_id, room_id, kind FROM device_list_changes "
                + "WHERE position > ? AND position <= ? ORDER BY position")) {
            ps.setLong(1, after);
            ps.setLong(2, upTo);
            List<Change> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Change(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
            return out;
        }
    }
}
