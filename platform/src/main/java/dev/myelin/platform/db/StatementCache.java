package dev.myelin.platform.db;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps the prepared statements of one long-lived SQLite connection for reuse: {@code prepareStatement(sql)} on the
 * wrapped connection hands back the statement prepared earlier for the same SQL, and closing it resets it (its
 * result set closed, its parameters cleared) instead of finalizing it. The code using the connection does not change:
 * it prepares and closes as before.
 *
 * <p>why: SQLite compiles a statement's SQL on every prepare, and the JDBC driver has no cache; measured under load
 * (BENCHMARKS.md), compiling was about a sixth of the server's CPU time. A connection is used by one thread at a time
 * (the writer behind its lock, a reader while borrowed), so the cache needs no locking. A statement still open when
 * the same SQL is prepared again (a nested use) gets a fresh, uncached one.
 */
final class StatementCache {

    /** Statements kept per connection; the least recently used one is finalized beyond that. */
    static final int CAPACITY = 64;

    private StatementCache() {}

    /** {@code real}, with its one-argument {@code prepareStatement} served from a cache of its own. */
    static Connection wrap(Connection real) {
        return (Connection) Proxy.newProxyInstance(StatementCache.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new ConnectionHandler(real));
    }

    /** One cached statement: the driver's, the proxy handed out, and whether someone holds it now. */
    private static final class Entry implements InvocationHandler {
        final PreparedStatement real;
        final PreparedStatement proxy;
        boolean inUse;
        boolean evicted;
        ResultSet open;

        Entry(PreparedStatement real) {
            this.real = real;
            this.proxy = (PreparedStatement) Proxy.newProxyInstance(StatementCache.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, this);
        }

        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close" -> {
                    if (!inUse) return null;
                    inUse = false;
                    release();
                    return null;
                }
                case "isClosed" -> {
                    return !inUse || real.isClosed();
                }
                case "getConnection" -> throw new SQLException("not available on a cached statement");
                default -> {
                    if (!inUse) throw new SQLException("statement is closed");
                    Object result = call(real, method, args);
                    if (result instanceof ResultSet rs) open = rs;
                    return result;
                }
            }
        }

        /** Makes the statement ready for its next user, or finalizes it once evicted or when resetting fails. */
        private void release() throws SQLException {
            try {
                if (open != null) {
                    ResultSet rs = open;
                    open = null;
                    rs.close(); // why: resets the SQLite statement, which otherwise keeps its read snapshot
                }
                real.clearParameters();
            } catch (SQLException | RuntimeException e) {
                evicted = true;
                throw e;
            } finally {
                if (evicted) real.close();
            }
        }
    }

    private static final class ConnectionHandler implements InvocationHandler {
        private final Connection real;
        private final LinkedHashMap<String, Entry> cache = new LinkedHashMap<>(16, 0.75f, true);

        ConnectionHandler(Connection real) {
            this.real = real;
        }

        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.equals("prepareStatement") && args != null && args.length == 1 && args[0] instanceof String sql) {
                return prepare(sql);
            }
            if (name.equals("close")) {
                closeAll();
                return call(real, method, args);
            }
            if (name.equals("equals")) return self == args[0];
            if (name.equals("hashCode")) return System.identityHashCode(self);
            if (name.equals("toString")) return "cached[" + real + "]";
            return call(real, method, args);
        }

        private PreparedStatement prepare(String sql) throws SQLException {
            Entry entry = cache.get(sql);
            if (entry != null && !entry.inUse && !entry.evicted && !entry.real.isClosed()) {
                entry.inUse = true;
                return entry.proxy;
            }
            if (entry != null && entry.inUse) {
                return real.prepareStatement(sql); // why: the cached one is still open higher up the stack
            }
            entry = new Entry(real.prepareStatement(sql));
            entry.inUse = true;
            cache.put(sql, entry);
            if (cache.size() > CAPACITY) {
                Iterator<Map.Entry<String, Entry>> eldest = cache.entrySet().iterator();
                Entry old = eldest.next().getValue();
                eldest.remove();
                old.evicted = true;
                if (!old.inUse) old.real.close();
            }
            return entry.proxy;
        }

        private void closeAll() {
            for (Entry e : cache.values()) {
                e.evicted = true;
                try {
                    e.real.close();
                } catch (SQLException ignored) {
                    // why: the connection closes next, which frees the statement either way
                }
            }
            cache.clear();
        }
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
