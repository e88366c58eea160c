package dev.myelin.mediaapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** {@code thumbnails}: the thumbnails made of a medium, by the size and method they were made for. */
public final class ThumbnailsTable {
    private ThumbnailsTable() {}

    public record Row(String origin, String mediaId, int width, int height, String method, String contentType,
            String sha256, long size) {}

    private static final String COLUMNS = "origin, media_id, width, height, method, content_type, sha256, size";

    /** Inserts a row unless one exists for the same size and method (two requests may make the same thumbnail). */
    public static void insert(Connection c, Row row) throws SQLException {
        Sql.update(c, "INSERT INTO thumbnails (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                row.origin(), row.mediaId(), row.width(), row.height(), row.method(), row.contentType(), row.sha256(), row.size());
    }

    public static Optional<Row> select(Connection c, String origin, String mediaId, int width, int height, String method)
            throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM thumbnails WHERE origin = ? AND media_id = ? AND width = ? AND height = ? AND method = ?",
                ThumbnailsTable::read, origin, mediaId, width, height, method);
    }

    public static List<Row> selectAll(Connection c, String origin, String mediaId) throws SQLException {
        return Sql.list(c, "SELECT " + COLUMNS + " FROM thumbnails WHERE origin = ? AND media_id = ?", ThumbnailsTable::read, origin, mediaId);
    }

    private static Row read(java.sql.ResultSet rs) throws SQLException {
        return new Row(rs.getString("origin"), rs.getString("media_id"), rs.getInt("width"), rs.getInt("height"),
                rs.getString("method"), rs.getString("content_type"), rs.getString("sha256"), rs.getLong("size"));
    }
}
