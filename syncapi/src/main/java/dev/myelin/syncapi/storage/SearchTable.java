package dev.myelin.syncapi.storage;

import dev.myelin.platform.db.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * {@code sync_search}: the full-text index of message bodies, room names and topics, keyed by sync position.
 * The one place where the dialects differ in more than types: SQLite uses an FTS5 table ranked by BM25,
 * PostgreSQL a {@code tsvector} with a GIN index ranked by {@code ts_rank}. Terms are matched as words, all
 * of them required, never as the engines' query syntax.
 */
public final class SearchTable {
    private SearchTable() {}

    /** One hit: the event's position and its rank (higher is better). */
    public record Hit(long pos, double rank) {}

    public static void insert(Connection tx, Dialect dialect, long pos, String roomId, String key, String text)
            throws SQLException {
        if (dialect == Dialect.POSTGRES) {
            Sql.update(tx, "INSERT INTO sync_search (pos, room_id, search_key, vector) VALUES (?, ?, ?, to_tsvector('simple', ?)) "
                    + "ON CONFLICT (pos) DO NOTHING", pos, roomId, key, text);
        } else {
            Sql.update(tx, "INSERT INTO sync_search (rowid, text, room_id, search_key) VALUES (?, ?, ?, ?)", pos, text, roomId, key);
        }
    }

    public static void delete(Connection tx, Dialect dialect, long pos) throws SQLException {
        Sql.update(tx, dialect == Dialect.POSTGRES ? "DELETE FROM sync_search WHERE pos = ?"
                : "DELETE FROM sync_search WHERE rowid = ?", pos);
    }

    /** The words of a search term, lower case (what is matched and what {@code highlights} lists). */
    public static List<String> words(String term) {
        List<String> out = new ArrayList<>();
        for (String w : term.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) if (!w.isEmpty()) out.add(w);
        return out;
    }

    /**
     * Events of {@code rooms} whose {@code keys} field contains every word, best rank first or newest first,
     * {@code limit} from {@code offset}.
     */
    public static List<Hit> search(Connection c, Dialect dialect, Collection<String> rooms, List<String> words,
                                   Collection<String> keys, boolean recent, int limit, int offset) throws SQLException {
        if (rooms.isEmpty() || words.isEmpty() || keys.isEmpty()) return List.of();
        List<Object> params = new ArrayList<>();
        String sql;
        if (dialect == Dialect.POSTGRES) {
            params.add(String.join(" & ", words.stream().map(w -> "'" + w.replace("'", "''") + "'").toList()));
            sql = "SELECT pos, ts_rank(vector, q) FROM sync_search, to_tsquery('simple', ?) q WHERE vector @@ q";
        } else {
            params.add(String.join(" ", words.stream().map(w -> "\"" + w.replace("\"", "\"\"") + "\"").toList()));
            sql = "SELECT rowid, -bm25(sync_search) FROM sync_search WHERE sync_search MATCH ?";
        }
        sql += " AND room_id IN (" + marks(rooms.size()) + ") AND search_key IN (" + marks(keys.size()) + ")";
        params.addAll(rooms);
        params.addAll(keys);
        sql += recent ? " ORDER BY 1 DESC" : " ORDER BY 2 DESC, 1 DESC";
        sql += " LIMIT ? OFFSET ?";
        params.add(limit);
        params.add(offset);
        return Sql.list(c, sql, rs -> new Hit(rs.getLong(1), rs.getDouble(2)), params.toArray());
    }

    /** How many events {@link #search} would find in all. */
    public static long count(Connection c, Dialect dialect, Collection<String> rooms, List<String> words,
                             Collection<String> keys) throws SQLException {
        if (rooms.isEmpty() || words.isEmpty() || keys.isEmpty()) return 0;
        List<Object> params = new ArrayList<>();
        String sql;
        if (dialect == Dialect.POSTGRES) {
            params.add(String.join(" & ", words.stream().map(w -> "'" + w.replace("'", "''") + "'").toList()));
            sql = "SELECT COUNT(*) FROM sync_search WHERE vector @@ to_tsquery('simple', ?)";
        } else {
            params.add(String.join(" ", words.stream().map(w -> "\"" + w.replace("\"", "\"\"") + "\"").toList()));
            sql = "SELECT COUNT(*) FROM sync_search WHERE sync_search MATCH ?";
        }
        sql += " AND room_id IN (" + marks(rooms.size()) + ") AND search_key IN (" + marks(keys.size()) + ")";
        params.addAll(rooms);
        params.addAll(keys);
        return Sql.one(c, sql, rs -> rs.getLong(1), params.toArray()).orElse(0L);
    }

    private static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }
}
