package dev.myelin.platform.stream;

import dev.myelin.platform.db.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The SQL of the producer side: appending to the outbox, reading it, pruning it, consumer cursors. */
final class Outbox {

    /** One outbox row. */
    record Row(long position, String key, byte[] payload) {
    }

    private Outbox() {
    }

    /**
     * Appends one row and returns its position. why: the upsert on stream_head takes that row's lock until the
     * transaction ends, so appends to one stream commit in position order and positions have no gaps (a rolled
     * back append gives its number back). A reader therefore never sees position n+1 before n.
     */
    static long append(Connection tx, Dialect dialect, String stream, String key, byte[] payload) throws SQLException {
        if (dialect == Dialect.POSTGRES) {
            // why: one round trip instead of two (SQLite allows no INSERT inside WITH, and has no round trips)
            try (PreparedStatement ps = tx.prepareStatement(
                    "WITH head AS (INSERT INTO stream_head (stream, position) VALUES (?, 1) ON CONFLICT (stream) "
                            + "DO UPDATE SET position = stream_head.position + 1 RETURNING position) "
                            + "INSERT INTO stream_outbox (stream, position, msg_key, payload) "
                            + "SELECT ?, position, ?, ? FROM head RETURNING position")) {
                ps.setString(1, stream);
                ps.setString(2, stream);
                ps.setString(3, key);
                ps.setBytes(4, payload);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }
        long position;
        try (PreparedStatement ps = tx.prepareStatement(
                "INSERT INTO stream_head (stream, position) VALUES (?, 1) ON CONFLICT (stream) "
                        + "DO UPDATE SET position = stream_head.position + 1 RETURNING position")) {
            ps.setString(1, stream);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                position = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = tx.prepareStatement(
                "INSERT INTO stream_outbox (stream, position, msg_key, payload) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, stream);
            ps.setLong(2, position);
            ps.setString(3, key);
            ps.setBytes(4, payload);
            ps.executeUpdate();
        }
        return position;
    }

    /**
     * Creates the stream's head row if missing, in its own transaction before the first append. why: every append
     * then only updates an existing row, so the first appends behave as all later ones (they queue on that row's
     * lock), and the head reads 0 for a stream nothing was appended to yet.
     */
    static void ensureHead(Connection tx, String stream) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement(
                "INSERT INTO stream_head (stream, position) VALUES (?, 0) ON CONFLICT (stream) DO NOTHING")) {
            ps.setString(1, stream);
            ps.executeUpdate();
        }
    }

    /** Up to {@code limit} rows after {@code after}, in position order. */
    static List<Row> read(Connection c, String stream, long after, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT position, msg_key, payload FROM stream_outbox WHERE stream = ? AND position > ? "
                        + "ORDER BY position LIMIT ?")) {
            ps.setString(1, stream);
            ps.setLong(2, after);
            ps.setInt(3, limit);
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getBytes(3)));
                }
            }
            return rows;
        }
    }

    /** The last position appended (and committed, as seen by {@code c}), 0 for an empty stream. */
    static long head(Connection c, String stream) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT position FROM stream_head WHERE stream = ?")) {
            ps.setString(1, stream);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** Deletes the rows up to {@code position} (the JetStream relay, once they are stored there). */
    static int deleteUpTo(Connection tx, String stream, long position) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement(
                "DELETE FROM stream_outbox WHERE stream = ? AND position <= ?")) {
            ps.setString(1, stream);
            ps.setLong(2, position);
            return ps.executeUpdate();
        }
    }

    /** Registers a durable consumer of the embedded shape (from position 0: everything still retained). */
    static void registerCursor(Connection tx, String stream, String consumer) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement(
                "INSERT INTO stream_cursor (stream, consumer, position) VALUES (?, ?, 0) "
                        + "ON CONFLICT (stream, consumer) DO NOTHING")) {
            ps.setString(1, stream);
            ps.setString(2, consumer);
            ps.executeUpdate();
        }
    }

    static long cursor(Connection c, String stream, String consumer) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT position FROM stream_cursor WHERE stream = ? AND consumer = ?")) {
            ps.setString(1, stream);
            ps.setString(2, consumer);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** Moves a consumer's cursor forward (never back) and prunes what every registered consumer has passed. */
    static void advanceCursorAndPrune(Connection tx, Dialect dialect, String stream, String consumer,
                                      long position) throws SQLException {
        if (dialect == Dialect.POSTGRES) {
            // why: two consumers moving their cursors at once would each compute MIN() without the other's new
            // cursor (write skew) and neither would prune; locking the stream's cursor rows (in one order, so no
            // deadlock) makes pruners take turns, and READ COMMITTED lets the second see the first's cursor.
            try (PreparedStatement ps = tx.prepareStatement(
                    "SELECT consumer FROM stream_cursor WHERE stream = ? ORDER BY consumer FOR UPDATE")) {
                ps.setString(1, stream);
                ps.executeQuery().close();
            }
        }
        try (PreparedStatement ps = tx.prepareStatement(
                "UPDATE stream_cursor SET position = ? WHERE stream = ? AND consumer = ? AND position < ?")) {
            ps.setLong(1, position);
            ps.setString(2, stream);
            ps.setString(3, consumer);
            ps.setLong(4, position);
            ps.executeUpdate();
        }
        // why: with no registered consumer MIN() is NULL and nothing is pruned.
        try (PreparedStatement ps = tx.prepareStatement(
                "DELETE FROM stream_outbox WHERE stream = ? AND position <= "
                        + "(SELECT MIN(position) FROM stream_cursor WHERE stream = ?)")) {
            ps.setString(1, stream);
            ps.setString(2, stream);
            ps.executeUpdate();
        }
    }
}
