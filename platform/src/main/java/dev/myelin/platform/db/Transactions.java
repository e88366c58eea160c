package dev.myelin.platform.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that runs {@link SqlWork} as a transaction: begin, work, commit, and on any failure a rollback
 * before the failure is rethrown (SQLExceptions wrapped in {@link DatabaseException}, everything else as is).
 */
final class Transactions {

    private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);

    /** How a dialect begins, commits and rolls back a transaction on one connection. */
    interface Steps {
        void begin(Connection c) throws SQLException;

        void commit(Connection c) throws SQLException;

        void rollback(Connection c) throws SQLException;
    }

    /** SQLite: explicit statements on a connection left in JDBC auto-commit mode. */
    static Steps statements(String begin) {
        return new Steps() {
            @Override
            public void begin(Connection c) throws SQLException {
                execute(c, begin);
            }

            @Override
            public void commit(Connection c) throws SQLException {
                execute(c, "COMMIT");
            }

            @Override
            public void rollback(Connection c) throws SQLException {
                execute(c, "ROLLBACK");
            }
        };
    }

    /**
     * PostgreSQL: auto-commit is switched off for the transaction (the pool hands out auto-commit connections
     * and restores the setting on return), then {@code setup}, if any, runs as the transaction's first statement.
     */
    static Steps jdbc(String setup) {
        return new Steps() {
            @Override
            public void begin(Connection c) throws SQLException {
                c.setAutoCommit(false);
                if (setup != null) {
                    execute(c, setup);
                }
            }

            @Override
            public void commit(Connection c) throws SQLException {
                c.commit();
            }

            @Override
            public void rollback(Connection c) throws SQLException {
                c.rollback();
            }
        };
    }

    private Transactions() {}

    /** A connection as a map key by identity (a pool's proxy may define equals differently). */
    private record OpenOn(Connection c) {
        @Override
        public boolean equals(Object o) {
            return o instanceof OpenOn other && other.c == c;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(c);
        }
    }

    /** Hooks waiting for the commit of the transaction open on a connection, in the order registered. */
    private static final Map<OpenOn, List<Runnable>> AFTER_COMMIT = new ConcurrentHashMap<>();

    /** See {@link Database#afterCommit}. */
    static void afterCommit(Connection tx, Runnable hook) {
        List<Runnable> hooks = AFTER_COMMIT.computeIfAbsent(new OpenOn(tx), k -> new ArrayList<>());
        for (Runnable h : hooks) {
            if (h == hook) return;
        }
        hooks.add(hook);
    }

    /** How many hooks the transaction on {@code c} holds: a mark for {@link #dropHooksFrom}. */
    static int hookMark(Connection c) {
        List<Runnable> hooks = AFTER_COMMIT.isEmpty() ? null : AFTER_COMMIT.get(new OpenOn(c));
        return hooks == null ? 0 : hooks.size();
    }

    /** Forgets the hooks registered since {@code mark}: their part of the transaction was rolled back. */
    static void dropHooksFrom(Connection c, int mark) {
        List<Runnable> hooks = AFTER_COMMIT.isEmpty() ? null : AFTER_COMMIT.get(new OpenOn(c));
        if (hooks != null && hooks.size() > mark) hooks.subList(mark, hooks.size()).clear();
    }

    /** Takes the hooks registered for the transaction on {@code c}; null when there are none. */
    private static List<Runnable> takeHooks(Connection c) {
        // why: isEmpty() is a cheap read; most transactions register nothing and should not pay for a lookup
        return AFTER_COMMIT.isEmpty() ? null : AFTER_COMMIT.remove(new OpenOn(c));
    }

    /**
     * Refuses a second transaction on the same database from the same thread.
     * why: a nested write() would deadlock or silently split one unit of work in two, and a read() inside a
     * write() would not see the outer transaction's own uncommitted rows (or would take a second pooled
     * connection and can exhaust the pool). Failing fast makes the caller pass its Connection down instead.
     */
    static final class NestingGuard {
        private final ThreadLocal<String> open = new ThreadLocal<>();

        void enter(String kind) {
            String outer = open.get();
            if (outer != null) {
                throw new IllegalStateException("nested " + kind + "() inside " + outer
                        + "() on the same database and thread: pass the outer transaction's Connection instead");
            }
            open.set(kind);
        }

        void exit() {
            open.remove();
        }
    }

    /**
     * Runs {@code work} as one transaction on {@code c}. When the connection can no longer be trusted (begin,
     * commit or rollback failed), {@code discard} is run so the caller replaces it.
     */
    static <T> T run(Connection c, Steps steps, SqlWork<T> work, String what, Runnable discard) {
        takeHooks(c); // why: left over only if a transaction on c ended outside run(); never run them
        try {
            steps.begin(c);
        } catch (SQLException e) {
            discard.run();
            throw new DatabaseException("cannot begin " + what, e);
        }
        T result;
        try {
            result = work.run(c);
        } catch (SQLException e) {
            takeHooks(c);
            rollback(c, steps, e, discard);
            throw new DatabaseException(what + " failed", e);
        } catch (RuntimeException | Error e) {
            takeHooks(c);
            rollback(c, steps, e, discard);
            throw e;
        }
        try {
            steps.commit(c);
        } catch (SQLException e) {
            takeHooks(c);
            rollback(c, steps, e, discard);
            throw new DatabaseException("cannot commit " + what, e);
        }
        List<Runnable> hooks = takeHooks(c);
        if (hooks != null) {
            for (Runnable hook : hooks) {
                try {
                    hook.run();
                } catch (RuntimeException e) {
                    // why: the transaction is committed; a failing hook must not make its caller believe otherwise
                    LOG.warn("an after-commit hook failed", e);
                }
            }
        }
        return result;
    }

    private static void rollback(Connection c, Steps steps, Throwable failure, Runnable discard) {
        try {
            steps.rollback(c);
        } catch (SQLException | RuntimeException e) {
            // why: SQLite may already have rolled back by itself (e.g. SQLITE_FULL), or the connection is
            // broken; either way its state is unknown, so it is replaced rather than reused.
            failure.addSuppressed(e);
            discard.run();
        }
    }

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
