package dev.myelin.clientapi.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * {@code uia_sessions}: user-interactive authentication sessions, in the database so that any clientapi process
 * can continue a session another one started. Values are JSON text.
 */
public final class UiaSessionsTable {
    private UiaSessionsTable() {}

    /** A stored session. */
    public record Row(String sessionId, String binding, String flowsJson, String paramsJson, String completedJson,
            String dataJson, long createdTs) {}

    public static void insert(Connection c, Row row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO uia_sessions (session_id, binding, flows_json,"
                + " params_json, completed_json, data_json, created_ts) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, row.sessionId());
            ps.setString(2, row.binding());
            ps.setString(3, row.flowsJson());
            ps.setString(4, row.paramsJson());
            ps.setString(5, row.completedJson());
            ps.setString(6, row.dataJson());
            ps.setLong(7, row.createdTs());
            ps.executeUpdate();
        }
    }

    /** The session if it was created after {@code notBefore}. */
    public static Optional<Row> select(Connection c, String sessionId, long notBefore) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT session_id, binding, flows_json, params_json, completed_json,"
                + " data_json, created_ts FROM uia_sessions WHERE session_id = ? AND created_ts > ?")) {
            ps.setString(1, sessionId);
            ps.setLong(2, notBefore);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getLong(7)));
            }
        }
    }

    public static void updateProgress(Connection c, String sessionId, String completedJson, String dataJson) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE uia_sessions SET completed_json = ?, data_json = ? WHERE session_id = ?")) {
            ps.setString(1, completedJson);
            ps.setString(2, dataJson);
            ps.setString(3, sessionId);
            ps.executeUpdate();
        }
    }

    /** Deletes the session; true if it existed (so exactly one request can finish it). */
    public static boolean delete(Connection c, String sessionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM uia_sessions WHERE session_id = ?")) {
            ps.setString(1, sessionId);
            return ps.executeUpdate() == 1;
        }
    }

    /** Deletes sessions created at or before {@code cutoff}. */
    public static void deleteOlderThan(Connection c, long cutoff) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM uia_sessions WHERE created_ts <= ?")) {
            ps.setLong(1, cutoff);
            ps.executeUpdate();
        }
    }
}
