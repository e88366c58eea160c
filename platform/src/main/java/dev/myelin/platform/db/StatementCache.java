package dev.myelin.platform.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.sqlite.jdbc4.JDBC4Connection;
import org.sqlite.jdbc4.JDBC4PreparedStatement;

/**
 * SQLite connections that keep their prepared statements for reuse: {@code prepareStatement(sql)} hands back the
 * statement prepared earlier for the same SQL, and closing it resets it (its result set closed, its parameters
 * cleared) instead of finalizing it. The code using the connection does not change: it prepares and closes as before.
 *
 * <p>why: SQLite compiles a statement's SQL on every prepare, and the JDBC driver has no cache; measured under load
 * (BENCHMARKS.md), compiling was about a sixth of the server's CPU time. A connection is used by one thread at a time
 * (the writer behind its lock, a reader while borrowed), so the cache needs no locking. A statement still open when
 * the same SQL is prepared again (a nested use) gets a fresh, uncached one. The driver's own classes are extended
 * rather than wrapped: a wrapper would sit on every JDBC call, this only on prepare and close.
 */
final class StatementCache {

    /** Statements kept per connection; the least recently used one is finalized beyond that. */
    static final int CAPACITY = 64;

    private StatementCache() {}

    /** Opens a connection to the SQLite database file {@code file} whose statements are cached. */
    static Connection open(String file) throws SQLException {
        return new CachingConnection("jdbc:sqlite:" + file, file);
    }

    private static final class CachingConnection extends JDBC4Connection {
        private final LinkedHashMap<String, CachedStatement> cache = new LinkedHashMap<>(16, 0.75f, true);

        CachingConnection(String url, String file) throws SQLException {
            super(url, file, new Properties());
        }

        @Override
        public PreparedStatement prepareStatement(String sql) throws SQLException {
            CachedStatement cached = cache.get(sql);
            if (cached != null && !cached.inUse && !cached.evicted) {
                cached.inUse = true;
                return cached;
            }
            if (cached != null && cached.inUse) {
                return super.prepareStatement(sql); // why: the cached one is still open higher up the stack
            }
            cached = new CachedStatement(this, sql);
            cache.put(sql, cached);
            if (cache.size() > CAPACITY) {
                Iterator<Map.Entry<String, CachedStatement>> eldest = cache.entrySet().iterator();
                CachedStatement old = eldest.next().getValue();
                eldest.remove();
                old.evict();
            }
            return cached;
        }

        @Override
        public void close() throws SQLException {
            for (CachedStatement s : cache.values()) {
                try {
                    s.evict();
                } catch (SQLException ignored) {
                    // why: closing the connection frees the statement either way
                }
            }
            cache.clear();
            super.close();
        }
    }

    /** A statement of the cache: {@link #close()} makes it ready for the next user instead of finalizing it. */
    private static final class CachedStatement extends JDBC4PreparedStatement {
        boolean inUse = true;
        boolean evicted;

        CachedStatement(CachingConnection connection, String sql) throws SQLException {
            super(connection, sql);
        }

        /** Drops it from use: finalized now if free, else when its user closes it. */
        void evict() throws SQLException {
            evicted = true;
            if (!inUse) super.close();
        }

        @Override
        public void close() throws SQLException {
            if (!inUse) return;
            inUse = false;
            try {
                // why: closing the result set resets the SQLite statement, which otherwise keeps its read snapshot
                if (rs.isOpen()) ((ResultSet) rs).close();
                clearParameters();
                clearGeneratedKeys();
            } catch (SQLException | RuntimeException e) {
                evicted = true;
                throw e;
            } finally {
                if (evicted) super.close();
            }
        }

        @Override
        public boolean isClosed() {
            return !inUse || super.isClosed();
        }

        private void checkInUse() throws SQLException {
            if (!inUse) throw new SQLException("statement is closed");
        }

        @Override
        public ResultSet executeQuery() throws SQLException {
            checkInUse();
            return super.executeQuery();
        }

        @Override
        public int executeUpdate() throws SQLException {
            checkInUse();
            return super.executeUpdate();
        }

        @Override
        public long executeLargeUpdate() throws SQLException {
            checkInUse();
            return super.executeLargeUpdate();
        }

        @Override
        public boolean execute() throws SQLException {
            checkInUse();
            return super.execute();
        }

        @Override
        public int[] executeBatch() throws SQLException {
            checkInUse();
            return super.executeBatch();
        }
    }
}
