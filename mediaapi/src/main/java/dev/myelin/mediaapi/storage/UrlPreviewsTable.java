package dev.myelin.mediaapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** {@code url_previews}: the OpenGraph answer for a URL and when it was fetched (the cache of preview_url). */
public final class UrlPreviewsTable {
    private UrlPreviewsTable() {}

    public record Row(String url, String previewJson, long fetchedTs) {}

    public static Optional<Row> select(Connection c, String url) throws SQLException {
        return Sql.one(c, "SELECT url, preview_json, fetched_ts FROM url_previews WHERE url = ?",
                rs -> new Row(rs.getString(1), rs.getString(2), rs.getLong(3)), url);
    }

    /** Stores or replaces the preview of {@code url}. */
    public static void upsert(Connection c, Row row) throws SQLException {
        Sql.update(c, "INSERT INTO url_previews (url, preview_json, fetched_ts) VALUES (?, ?, ?)"
                + " ON CONFLICT (url) DO UPDATE SET preview_json = excluded.preview_json, fetched_ts = excluded.fetched_ts",
                row.url(), row.previewJson(), row.fetchedTs());
    }
}
