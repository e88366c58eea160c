package dev.myelin.platform.db;

/**
 * One component's database: SQLite (one file per component, one writer connection, a pool of readers) or
 * PostgreSQL (one schema per component, pooled). Components see only this interface; the dialect decides
 * nothing above the SQL itself. Open one with {@link Databases#open}.
 *
 * <p>Rules for the work passed in: it must not commit, roll back, close the connection or change auto-commit
 * (the database does that); a thread holds at most one transaction per database, so a nested write() or read()
 * on the same database and thread throws {@link IllegalStateException} (pass the Connection down instead); a
 * SQLException thrown by the work comes back as {@link DatabaseException} after the rollback, any other
 * exception comes back unchanged after the rollback.
 */
public interface Database extends AutoCloseable {

    /** Which SQL dialect the statements must be written in. */
    Dialect dialect();

    /**
     * Runs {@code work} in one write transaction and commits when it returns; rolls back if it throws.
     * SQLite: on the single writer connection with {@code BEGIN IMMEDIATE}, so "database is locked" cannot happen.
     * No network call may happen inside {@code work}.
     * PostgreSQL: writes from different threads run concurrently at READ COMMITTED; rely on constraints,
     * {@code ON CONFLICT} or {@code SELECT … FOR UPDATE}, not on writes being serial as they are on SQLite.
     */
    <T> T write(SqlWork<T> work);

    /** Runs read-only {@code work} on a reader connection (a consistent snapshot for its duration). */
    <T> T read(SqlWork<T> work);

    /**
     * Runs {@code hook} once the write transaction open on {@code tx} has committed, on the committing thread, right
     * after the commit; never if it rolls back. The same hook object registered twice in one transaction runs once.
     * Hooks registered by a part of a {@link GroupCommit} that is rolled back to its savepoint are dropped with it.
     * A hook that throws is logged. A hook may not open a transaction on the same database from its thread (it runs
     * while the committed one winds up).
     * why: "tell the readers after the commit" without polling the database to learn that the commit happened.
     */
    static void afterCommit(java.sql.Connection tx, Runnable hook) {
        Transactions.afterCommit(tx, hook);
    }

    @Override
    void close();
}
