package dev.myelin.mediaapi.storage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** {@code media}: one row per medium (local upload or cached remote media), pointing at its file by SHA-256. */
public final class MediaTable {
    private MediaTable() {}

    /** One row. {@code sha256}, {@code size} and {@code uploadedTs} are empty while an asynchronous upload is pending. */
    public record Row(String origin, String mediaId, Optional<String> userId, Optional<String> contentType,
            Optional<String> uploadName, Optional<Long> size, Optional<String> sha256, long createdTs, Optional<Long> uploadedTs) {

        public boolean uploaded() { return sha256.isPresent(); }
    }

    private static final String COLUMNS = "origin, media_id, user_id, content_type, upload_name, size, sha256, created_ts, uploaded_ts";

    /** Inserts a row; false when (origin, media_id) exists already. */
    public static boolean insert(Connection c, Row row) throws SQLException {
        return Sql.update(c, "INSERT INTO media (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                row.origin(), row.mediaId(), row.userId(), row.contentType(), row.uploadName(), row.size(), row.sha256(),
                row.createdTs(), row.uploadedTs()) == 1;
    }

    public static Optional<Row> select(Connection c, String origin, String mediaId) throws SQLException {
        return Sql.one(c, "SELECT " + COLUMNS + " FROM media WHERE origin = ? AND media_id = ?", MediaTable::read, origin, mediaId);
    }

    /** Fills in a pending row's content; false when it is no longer pending. */
    public static boolean completeUpload(Connection c, String origin, String mediaId, String contentType,
            Optional<String> uploadName, long size, String sha256, long uploadedTs) throws SQLException {
        return Sql.update(c, "UPDATE media SET content_type = ?, upload_name = ?, size = ?, sha256 = ?, uploaded_ts = ?"
                + " WHERE origin = ? AND media_id = ? AND sha256 IS NULL",
                contentType, uploadName, size, sha256, uploadedTs, origin, mediaId) == 1;
    }

    /** The bytes a user has uploaded (their quota use). */
    public static long totalSizeOf(Connection c, String userId) throws SQLException {
        return Sql.one(c, "SELECT COALESCE(SUM(size), 0) FROM media WHERE user_id = ?", rs -> rs.getLong(1), userId).orElse(0L);
    }

    /** How many of a user's created media IDs still wait for their bytes and have not expired. */
    public static long pendingCount(Connection c, String userId, long createdAfterTs) throws SQLException {
        return Sql.one(c, "SELECT COUNT(*) FROM media WHERE user_id = ? AND sha256 IS NULL AND created_ts > ?",
                rs -> rs.getLong(1), userId, createdAfterTs).orElse(0L);
    }

    private static Row read(ResultSet rs) throws SQLException {
        return new Row(rs.getString("origin"), rs.getString("media_id"), Optional.ofNullable(rs.getString("user_id")),
                Optional.ofNullable(rs.getString("content_type")), Optional.ofNullable(rs.getString("upload_name")),
                Sql.optionalLong(rs, "size"), Optional.ofNullable(rs.getString("sha256")), rs.getLong("created_ts"),
                Sql.optionalLong(rs, "uploaded_ts"));
    }
}
