package dev.myelin.platform.stream;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The SQL of the consumer side: the last position each durable consumer applied, in its own database. */
final class AppliedPositions {

    private AppliedPositions() {
    }

    static long read(Connection c, String stream, String consumer) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT position FROM stream_applied WHERE stream = ? AND consumer = ?")) {
            ps.setString(1, stream);
            ps.setString(2, consumer);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /**
     * Records {@code position} as applied unless it (or a later one) already is; true when recorded. why: the
     * conditional upsert decides inside the consumer's transaction, under the row's lock, so two deliveries of the
     * same message can never both be applied.
     */
    static boolean markApplied(Connection tx, String stream, String consumer, long position) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement(
                "INSERT INTO stream_applied (stream, consumer, position) VALUES (?, ?, ?) "
                        + "ON CONFLICT (stream, consumer) DO UPDATE SET position = excluded.position "
                        + "WHERE stream_applied.position < excluded.position")) {
            ps.setString(1, stream);
            ps.setString(2, consumer);
            ps.setLong(3, position);
            return ps.executeUpdate() == 1;
        }
    }
}
