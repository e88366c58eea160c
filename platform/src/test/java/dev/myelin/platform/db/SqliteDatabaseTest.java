package dev.myelin.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.db.testing.TestDatabases;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What only the SQLite side promises: its pragmas, its bounded reader pool, its recovery from a lost writer. */
class SqliteDatabaseTest {

    private Path dir;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = TestDatabases.newTempDirectory();
    }

    @AfterEach
    void deleteDirectory() throws IOException {
        TestDatabases.deleteRecursively(dir);
    }

    @Test
    void writerUsesWalWithNormalSyncAndForeignKeys() {
        try (SqliteDatabase db = new SqliteDatabase(dir.resolve("a.db"))) {
            assertThat(db.<String>write(c -> pragma(c, "journal_mode"))).isEqualTo("wal");
            assertThat(db.<String>write(c -> pragma(c, "synchronous"))).isEqualTo("1"); // NORMAL
            assertThat(db.<String>write(c -> pragma(c, "foreign_keys"))).isEqualTo("1");
            assertThat(db.<String>write(c -> pragma(c, "busy_timeout"))).isEqualTo("10000");
            assertThat(db.<String>write(c -> pragma(c, "query_only"))).isEqualTo("0");
        }
    }

    @Test
    void readersAreQueryOnlyAndEnforceForeignKeys() {
        try (SqliteDatabase db = new SqliteDatabase(dir.resolve("a.db"))) {
            assertThat(db.<String>read(c -> pragma(c, "query_only"))).isEqualTo("1");
            assertThat(db.<String>read(c -> pragma(c, "foreign_keys"))).isEqualTo("1");
            assertThat(db.<String>read(c -> pragma(c, "busy_timeout"))).isEqualTo("10000");
        }
    }

    @Test
    void neverOpensMoreReadersThanAllowed() throws Exception {
        try (SqliteDatabase db = new SqliteDatabase(dir.resolve("a.db"), 1);
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch reading = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> first = pool.submit(() -> db.read(c -> {
                reading.countDown();
                await(release);
                return null;
            }));
            assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
            Future<String> second = pool.submit(() -> db.<String>read(c -> "second"));
            assertThatThrownBy(() -> second.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            // writes do not need a reader
            assertThat(db.<Integer>write(c -> 1)).isEqualTo(1);
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("second");
        }
    }

    @Test
    void replacesAWriterConnectionThatWasClosedUnderIt() {
        try (SqliteDatabase db = new SqliteDatabase(dir.resolve("a.db"))) {
            db.write(c -> c.createStatement().executeUpdate("CREATE TABLE t (x INTEGER)"));
            assertThatThrownBy(() -> db.write(c -> {
                c.close(); // misbehaving work: the rollback cannot run on this connection
                return null;
            })).isInstanceOf(DatabaseException.class);
            db.write(c -> c.createStatement().executeUpdate("INSERT INTO t VALUES (1)"));
            assertThat(db.<Integer>read(c -> DatabaseContractTest.countOf(c, "t"))).isEqualTo(1);
        }
    }

    @Test
    void anotherProcessHoldingTheWriteLockMakesWritesWaitNotFail() throws Exception {
        Path file = dir.resolve("a.db");
        try (SqliteDatabase db = new SqliteDatabase(file);
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            db.write(c -> c.createStatement().executeUpdate("CREATE TABLE t (x INTEGER)"));
            other.createStatement().execute("BEGIN IMMEDIATE");
            Future<Integer> write = pool.submit(() -> db.write(c -> c.createStatement().executeUpdate("INSERT INTO t VALUES (1)")));
            Thread.sleep(300);
            assertThat(write.isDone()).as("waits on busy_timeout").isFalse();
            other.createStatement().execute("COMMIT");
            assertThat(write.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void rejectsAnEmptyReaderPool() {
        assertThatThrownBy(() -> new SqliteDatabase(dir.resolve("a.db"), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
