package dev.myelin.platform.db;

import dev.myelin.platform.concurrent.Batches;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Group commit over one {@link Database}: the write works of concurrent callers run in ONE write transaction, each
 * inside a savepoint of its own, and commit together. A work that throws is rolled back to its savepoint and its
 * caller gets the failure; the other works of the batch are not touched. Every caller returns only after the
 * commit that holds its work (or with the failure that rolled it back).
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
     * {@link DatabaseException}, anything else unchanged) rolls back only this work.
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

    /** Transactions run so far (for tests). */
    long batchesRun() {
        return batchesRun.get();
    }

    private void run(List<Item<?>> batch) {
        batchesRun.incrementAndGet();
        try {
            db.write(c -> {
                if (batch.size() == 1) {
                    // why: alone, a work needs no savepoint: its failure rolls back a transaction that is only its own
                    Item<?> only = batch.getFirst();
                    only.runIn(c);
                    if (only.failure != null) throw new RolledBack();
                    return null;
                }
                int n = 0;
                for (Item<?> item : batch) {
                    String savepoint = "group_commit_" + n++;
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
        } catch (RolledBack alone) {
            return; // the lone work's own failure is already recorded
        } catch (RuntimeException | Error e) {
            // why: the transaction itself failed (begin, a savepoint step or commit): nothing of the batch is stored
            for (Item<?> item : batch) if (item.failure == null) item.failure = e;
            return;
        }
        for (Item<?> item : batch) if (item.failure == null) item.committed();
    }

    /** Rolls back a lone work's transaction; not a failure of the transaction itself. */
    private static final class RolledBack extends RuntimeException {
        RolledBack() {
            super("work failed", null, false, false);
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
