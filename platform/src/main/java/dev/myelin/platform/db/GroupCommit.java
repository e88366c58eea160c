package dev.myelin.platform.db;

import dev.myelin.platform.concurrent.Batches;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Group commit over one {@link Database}: the write works of concurrent callers run in ONE write transaction and
 * commit together. A work that throws gets its caller the failure and leaves nothing stored; the other works of the
 * batch are stored as if it had never run. Every caller returns only after the commit that holds its work (or with
 * the failure that rolled it back).
 *
 * <p>How a failure stays the failing work's own: the works first run one after another with no savepoints. When one
 * throws, that transaction is rolled back as a whole and the others run again in a new one, this time each inside a
 * savepoint of its own (where a failure rolls back only its work). So <b>a work may run more than once</b>: it must
 * start from scratch every time it is run, keeping nothing from an earlier run. why: a savepoint costs two round
 * trips on PostgreSQL (SAVEPOINT, RELEASE), as many as a small work's own statements, and works almost never fail
 * (the roomserver's fail for a repeated transaction ID found only in the database or a room head moved by another
 * process); paying a second transaction on the rare failure is cheaper than two round trips on every work.
 *
 * <p>why: a commit is the expensive part of a small write. SQLite (one writer) appends every changed page to the WAL
 * once per commit, and the pages that every event touches (the stream head, the last page of each index) are then
 * written once per batch instead of once per event; PostgreSQL pays one WAL flush per commit, and the stream head
 * row lock, held from the append to the commit, made every room's input wait for the other rooms' flushes.
 *
 * <p>Batches form without a timer ({@link Batches}), so an idle server adds no latency. The caller must hold no
 * transaction on the database (the works run on whichever caller's thread runs the batch, in its transaction).
 */
public final class GroupCommit {
    /** At most this many works share a transaction, so one batch stays short. */
    static final int MAX_BATCH = 64;

    /**
     * PostgreSQL: batches that may run at once. why: there a transaction's cost is mostly round trips, which
     * concurrent transactions overlap; one batch at a time would make every room wait for the round trips of all.
     * SQLite has one writer, so one batch at a time.
     */
    static final int POSTGRES_CONCURRENT_BATCHES = 2;

    private final Database db;
    private final List<Batches<Item<?>>> shards;
    private final java.util.concurrent.atomic.AtomicLong batchesRun = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong savepoints = new java.util.concurrent.atomic.AtomicLong();

    public GroupCommit(Database db) {
        this.db = db;
        int n = db.dialect() == Dialect.SQLITE ? 1 : POSTGRES_CONCURRENT_BATCHES;
        var list = new java.util.ArrayList<Batches<Item<?>>>(n);
        for (int i = 0; i < n; i++) list.add(new Batches<>(MAX_BATCH, this::run));
        this.shards = List.copyOf(list);
    }

    /**
     * Runs {@code work} in a write transaction shared with concurrent callers and returns its result after the
     * commit. A failure of the work (thrown as {@link Database#write} would: SQLExceptions as
     * {@link DatabaseException}, anything else unchanged) rolls back only this work. The work may be run again (in a
     * new transaction) when another work of its batch failed, so it must keep no state from an earlier run.
     */
    public <T> T write(SqlWork<T> work) {
        return write("", work, result -> { });
    }

    /**
     * As {@link #write(SqlWork)}, and {@code afterCommit} runs with the work's result as soon as the commit is done,
     * on the thread that committed, before the callers of the batch are woken. Works with the same {@code key} (e.g.
     * a room ID) always share batches with each other; works of other keys may commit in a concurrent batch.
     * why: a stream consumer woken by the commit may read the data at once; caches the caller fills in
     * {@code afterCommit} are then already filled, where the caller itself would still be waking up.
     */
    public <T> T write(String key, SqlWork<T> work, java.util.function.Consumer<T> afterCommit) {
        Item<T> item = new Item<>(work, afterCommit);
        shards.get(Math.floorMod(key.hashCode(), shards.size())).submit(item);
        return item.result();
    }

    /** Callers waiting for a batch to take their work (for tests). */
    int queued() {
        return shards.stream().mapToInt(Batches::queued).sum();
    }

    /** Batches run so far (for tests; a batch whose work failed may have taken a second transaction). */
    long batchesRun() {
        return batchesRun.get();
    }

    /** Savepoints taken so far (for tests: only after a failure in a batch). */
    long savepointsTaken() {
        return savepoints.get();
    }

    private void run(List<Item<?>> batch) {
        batchesRun.incrementAndGet();
        Item<?> failed = runTogether(batch);
        if (failed == null) {
            for (Item<?> item : batch) if (item.failure == null) item.committed();
            return;
        }
        // why: the transaction that held the failing work is rolled back; the others run again, isolated
        List<Item<?>> rest = new java.util.ArrayList<>(batch.size() - 1);
        for (Item<?> item : batch) {
            if (item == failed || item.failure != null) continue;
            item.value = null;
            rest.add(item);
        }
        if (rest.isEmpty()) return;
        if (rest.size() == 1) {
            if (runTogether(rest) == null && rest.getFirst().failure == null) rest.getFirst().committed();
            return;
        }
        runInSavepoints(rest);
    }

    /**
     * Runs the works in one transaction without savepoints. Returns null when it committed (or failed as a whole:
     * then every work has the failure), else the work whose failure rolled the transaction back.
     */
    private Item<?> runTogether(List<Item<?>> batch) {
        try {
            db.write(c -> {
                for (Item<?> item : batch) {
                    item.runIn(c);
                    if (item.failure != null) throw new RolledBack(item);
                }
                return null;
            });
            return null;
        } catch (RolledBack r) {
            return r.item;
        } catch (RuntimeException | Error e) {
            // why: the transaction itself failed (begin or commit): nothing of the batch is stored
            for (Item<?> item : batch) if (item.failure == null) item.failure = e;
            return null;
        }
    }

    /** Runs the works in one transaction, each in a savepoint of its own: a failure rolls back only its work. */
    private void runInSavepoints(List<Item<?>> batch) {
        try {
            db.write(c -> {
                int n = 0;
                for (Item<?> item : batch) {
                    String savepoint = "group_commit_" + n++;
                    savepoints.incrementAndGet();
                    Transactions.execute(c, "SAVEPOINT " + savepoint);
                    int hooks = Transactions.hookMark(c);
                    item.runIn(c);
                    if (item.failure != null) {
                        Transactions.execute(c, "ROLLBACK TO SAVEPOINT " + savepoint);
                        Transactions.dropHooksFrom(c, hooks); // why: they announce what was just rolled back
                    }
                    Transactions.execute(c, "RELEASE SAVEPOINT " + savepoint);
                }
                return null;
            });
        } catch (RuntimeException | Error e) {
            // why: the transaction itself failed (begin, a savepoint step or commit): nothing of the batch is stored
            for (Item<?> item : batch) if (item.failure == null) item.failure = e;
            return;
        }
        for (Item<?> item : batch) if (item.failure == null) item.committed();
    }

    /** Rolls back the transaction of a work that failed; not a failure of the transaction itself. */
    private static final class RolledBack extends RuntimeException {
        final transient Item<?> item;

        RolledBack(Item<?> item) {
            super("work failed", null, false, false);
            this.item = item;
        }
    }

    /** One caller's work and, once done, its result or failure. */
    private static final class Item<T> {
        final SqlWork<T> work;
        final java.util.function.Consumer<T> afterCommit;
        T value;
        Throwable failure;

        Item(SqlWork<T> work, java.util.function.Consumer<T> afterCommit) {
            this.work = work;
            this.afterCommit = afterCommit;
        }

        void committed() {
            try {
                afterCommit.accept(value);
            } catch (RuntimeException e) {
                // why: the work is committed; its caller learns of the failure of what followed
                failure = e;
            }
        }

        void runIn(Connection c) {
            try {
                value = work.run(c);
            } catch (SQLException e) {
                failure = new DatabaseException("write transaction failed", e);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
        }

        T result() {
            if (failure instanceof RuntimeException r) throw r;
            if (failure instanceof Error e) throw e;
            return value;
        }
    }
}
