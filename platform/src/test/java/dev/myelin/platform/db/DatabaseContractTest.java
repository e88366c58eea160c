package dev.myelin.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** What every {@link Database} promises, checked on both dialects. */
@DatabaseComponent("platformtest")
class DatabaseContractTest {

    @DatabaseTest
    void readsBackWhatAWriteCommitted(Database db) {
        db.write(c -> insert(c, 1, "hello"));
        assertThat(db.<String>read(c -> body(c, 1))).isEqualTo("hello");
        assertThat(db.<Integer>read(c -> noteCount(c))).as("trigger from migration V2 ran").isEqualTo(1);
    }

    @DatabaseTest
    void afterCommitHooksRunOnceAfterTheCommitAndNeverAfterARollback(Database db) {
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        // why another thread: a hook runs on the committing thread, which may not open a second transaction
        Runnable wake = () -> heard.add("wake seeing " + java.util.concurrent.CompletableFuture
                .supplyAsync(() -> db.<Integer>read(c -> count(c))).join() + " rows");
        db.write(c -> {
            insert(c, 1, "one");
            Database.afterCommit(c, wake);
            insert(c, 2, "two");
            Database.afterCommit(c, wake); // the same hook twice: runs once
            Database.afterCommit(c, () -> {
                throw new IllegalStateException("a failing hook is logged, the write still succeeds");
            });
            Database.afterCommit(c, () -> heard.add("second hook"));
            assertThat(heard).isEmpty();
            return null;
        });
        assertThat(heard).containsExactly("wake seeing 2 rows", "second hook");

        heard.clear();
        assertThatThrownBy(() -> db.write(c -> {
            insert(c, 3, "three");
            Database.afterCommit(c, wake);
            throw new IllegalArgumentException("rolled back");
        })).isInstanceOf(IllegalArgumentException.class);
        db.write(c -> insert(c, 4, "four")); // the next transaction on the connection does not inherit the hook
        assertThat(heard).isEmpty();
    }

    @DatabaseTest
    void rollsBackWhenTheWorkThrows(Database db) {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        assertThatThrownBy(() -> db.write(c -> {
            insert(c, 1, "first");
            insert(c, 2, "second");
            throw boom;
        })).isSameAs(boom);
        assertThat(db.<Integer>read(c -> count(c))).isZero();
        assertThat(db.<Integer>read(c -> noteCount(c))).isZero();
        // the database stays usable after a rollback
        db.write(c -> insert(c, 3, "third"));
        assertThat(db.<Integer>read(c -> count(c))).isEqualTo(1);
    }

    @DatabaseTest
    void wrapsSqlFailuresAndRollsBack(Database db) {
        db.write(c -> insert(c, 1, "kept"));
        assertThatThrownBy(() -> db.write(c -> {
            insert(c, 2, "lost");
            return insert(c, 1, "duplicate key");
        })).isInstanceOfSatisfying(DatabaseException.class, e -> {
            assertThat(e.getCause()).isInstanceOf(SQLException.class).isSameAs(e.sqlCause());
            assertThat(e.isUniqueViolation()).isTrue();
        });
        assertThat(db.<Integer>read(c -> count(c))).isEqualTo(1);
        assertThat(db.<String>read(c -> body(c, 1))).isEqualTo("kept");
    }

    @DatabaseTest
    void enforcesForeignKeys(Database db) {
        assertThatThrownBy(() -> db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO tags (note_id, tag) VALUES (?, ?)")) {
                ps.setLong(1, 42);
                ps.setString(2, "orphan");
                return ps.executeUpdate();
            }
        })).isInstanceOfSatisfying(DatabaseException.class, e -> assertThat(e.isUniqueViolation()).isFalse());
        assertThat(db.<Integer>read(c -> countOf(c, "tags"))).isZero();
    }

    @DatabaseTest
    void refusesWritesInsideRead(Database db) {
        assertThatThrownBy(() -> db.read(c -> insert(c, 1, "sneaky"))).isInstanceOf(DatabaseException.class);
        assertThat(db.<Integer>read(c -> count(c))).isZero();
    }

    @DatabaseTest
    void failsFastOnNestedTransactions(Database db) {
        assertThatThrownBy(() -> db.write(c -> {
            insert(c, 1, "outer");
            return db.write(inner -> insert(inner, 2, "inner"));
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("nested write()");
        assertThatThrownBy(() -> db.write(c -> db.read(inner -> count(inner))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("nested read()");
        assertThatThrownBy(() -> db.read(c -> db.read(inner -> count(inner))))
                .isInstanceOf(IllegalStateException.class);
        assertThat(db.<Integer>read(c -> count(c))).as("the outer write was rolled back").isZero();
        db.write(c -> insert(c, 3, "still usable"));
        assertThat(db.<Integer>read(c -> count(c))).isEqualTo(1);
    }

    @DatabaseTest
    void concurrentWritersLoseNothing(Database db) throws Exception {
        int threads = 8;
        int perThread = 200;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int id = base + i;
                        db.write(c -> insert(c, id, "note " + id));
                        if (i % 50 == 0) {
                            db.read(c -> count(c)); // readers interleave with the writers
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS); // rethrows any "database is locked"
            }
        }
        assertThat(db.<Integer>read(c -> count(c))).isEqualTo(threads * perThread);
        assertThat(db.<Integer>read(c -> noteCount(c))).isEqualTo(threads * perThread);
    }

    @DatabaseTest
    void readersSeeCommittedRowsWhileAWriteIsInProgress(Database db) throws Exception {
        db.write(c -> insert(c, 1, "committed"));
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> writer = pool.submit(() -> db.write(c -> {
                insert(c, 2, "uncommitted");
                written.countDown();
                await(release);
                return null;
            }));
            assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();
            // a reader on another thread neither waits for the writer nor sees its uncommitted row
            Future<Integer> seen = pool.submit(() -> db.<Integer>read(c -> count(c)));
            assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            release.countDown();
            writer.get(30, TimeUnit.SECONDS);
        }
        assertThat(db.<Integer>read(c -> count(c))).isEqualTo(2);
    }

    @DatabaseTest
    void aReadSeesOneSnapshotThroughout(Database db) throws Exception {
        db.write(c -> insert(c, 1, "before"));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Integer> counts = db.read(c -> {
                int first = count(c);
                // a write committed by another thread while this read is open
                waitFor(pool.submit(() -> db.write(w -> insert(w, 2, "during"))));
                return List.of(first, count(c));
            });
            assertThat(counts).containsExactly(1, 1);
        }
        assertThat(db.<Integer>read(c -> count(c))).isEqualTo(2);
    }

    @DatabaseTest
    void refusesWorkAfterClose(DatabaseConfig config) {
        Database db = Databases.open(config, "platformtest");
        db.close();
        db.close(); // twice is harmless
        assertThatThrownBy(() -> db.write(c -> insert(c, 1, "late"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> db.read(c -> count(c))).isInstanceOf(IllegalStateException.class);
    }

    @DatabaseTest
    void keepsEachComponentApart(DatabaseConfig config, Dialect dialect) {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try (Database a = Databases.open(config, "platformtest");
                Database b = Databases.connect(config, "other")) {
            assertThat(a.dialect()).isEqualTo(dialect);
            a.write(c -> insert(c, 1, "a"));
            b.write(c -> {
                c.createStatement().execute("CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT NOT NULL)");
                return null;
            });
            assertThat(b.<Integer>read(c -> count(c))).isZero();
            seen.add(a.read(c -> body(c, 1)));
        }
        assertThat(seen).containsExactly("a");
    }

    static int insert(Connection c, long id, String body) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notes (id, body) VALUES (?, ?)")) {
            ps.setLong(1, id);
            ps.setString(2, body);
            return ps.executeUpdate();
        }
    }

    static String body(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT body FROM notes WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static int count(Connection c) throws SQLException {
        return countOf(c, "notes");
    }

    static int countOf(Connection c, String table) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static int noteCount(Connection c) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT n FROM note_count")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void waitFor(Future<?> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("concurrent write failed", e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test latch timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
