package dev.myelin.platform.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One component's SQLite file: exactly one writer connection behind a fair lock (every write transaction is
 * {@code BEGIN IMMEDIATE}, so two writers never meet inside SQLite and "database is locked" cannot happen) and
 * a small bounded pool of read-only reader connections, created lazily, which in WAL mode read the last
 * committed state without waiting for the writer. Every connection keeps its prepared statements for reuse
 * ({@link StatementCache}).
 *
 * <p>A thread may hold at most one transaction on a database: write() or read() inside write() or read() on the
 * same thread fails fast with {@link IllegalStateException} (see {@link Transactions.NestingGuard}).
 */
public final class SqliteDatabase implements Database {

    /** Readers in the pool when the caller does not say. */
    public static final int DEFAULT_READERS = 4;

    private static final Logger log = LoggerFactory.getLogger(SqliteDatabase.class);

    // why: only another process (e.g. an admin tool opening the file) or a WAL checkpoint can make SQLite busy;
    // inside this process the writer lock already serialises writers.
    private static final int BUSY_TIMEOUT_MS = 10_000;
    /** How long opening the writer retries while another connection switches a new file to WAL. */
    private static final long OPEN_BUSY_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    private final String url;
    private final Path file;
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final Semaphore readerPermits;
    private final ConcurrentLinkedDeque<Connection> idleReaders = new ConcurrentLinkedDeque<>();
    private final Transactions.NestingGuard nesting = new Transactions.NestingGuard();
    private final Transactions.Steps writeSteps = Transactions.statements("BEGIN IMMEDIATE");
    private final Transactions.Steps readSteps = Transactions.statements("BEGIN");
    private Connection writer; // guarded by writeLock
    private final WalCheckpointer checkpointer;
    private volatile boolean closed;

    public SqliteDatabase(Path file) {
        this(file, DEFAULT_READERS);
    }

    /** Opens (creating if missing) the database file and its writer connection; readers open on first use. */
    public SqliteDatabase(Path file, int readers) {
        if (readers < 1) {
            throw new IllegalArgumentException("readers must be at least 1, got " + readers);
        }
        this.file = file.toAbsolutePath();
        this.url = "jdbc:sqlite:" + this.file;
        this.readerPermits = new Semaphore(readers, true);
        writeLock.lock();
        try {
            writer = openWriter();
        } finally {
            writeLock.unlock();
        }
        this.checkpointer = new WalCheckpointer(url);
    }

    @Override
    public Dialect dialect() {
        return Dialect.SQLITE;
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        nesting.enter("write");
        try {
            // why: a fair ReentrantLock, not synchronized: it parks virtual threads without pinning their carrier,
            // and fairness keeps a stream of writers from starving one.
            writeLock.lock();
            try {
                checkOpen();
                if (writer == null) {
                    writer = openWriter();
                }
                Connection c = writer;
                T result = Transactions.run(c, writeSteps, work, "write transaction on " + file,
                        () -> discardWriter(c));
                checkpointer.written();
                return result;
            } finally {
                writeLock.unlock();
            }
        } finally {
            nesting.exit();
        }
    }

    @Override
    public <T> T read(SqlWork<T> work) {
        nesting.enter("read");
        try {
            checkOpen();
            readerPermits.acquireUninterruptibly();
            try {
                Connection c = idleReaders.pollFirst();
                if (c == null) {
                    c = openReader();
                }
                boolean[] broken = {false};
                try {
                    return Transactions.run(c, readSteps, work, "read transaction on " + file,
                            () -> broken[0] = true);
                } finally {
                    if (broken[0] || closed) {
                        closeQuietly(c);
                    } else {
                        idleReaders.push(c);
                        if (closed) { // why: close() may have drained the pool between the check and the push
                            drainReaders();
                        }
                    }
                }
            } finally {
                readerPermits.release();
            }
        } finally {
            nesting.exit();
        }
    }

    /** Closes every connection; a write in progress finishes first. Calling it again does nothing. */
    @Override
    public void close() {
        closed = true;
        checkpointer.close();
        writeLock.lock();
        try {
            if (writer != null) {
                try {
                    // why: SQLite's advice for long-lived connections: refresh query-planner statistics on close
                    Transactions.execute(writer, "PRAGMA optimize");
                } catch (SQLException e) {
                    log.debug("PRAGMA optimize failed on {}", file, e);
                }
                closeQuietly(writer);
                writer = null;
            }
        } finally {
            writeLock.unlock();
        }
        drainReaders();
    }

    private Connection openWriter() {
        long deadline = System.nanoTime() + OPEN_BUSY_WAIT_NANOS;
        while (true) {
            try {
                return tryOpenWriter();
            } catch (SQLException e) {
                // why: processes (or tests) opening a new file at once race to switch it to WAL, and SQLite answers
                // the loser SQLITE_BUSY at once, without its busy handler: wait for the winner, then try again
                if (!busy(e) || System.nanoTime() > deadline) {
                    throw new DatabaseException("cannot open SQLite database " + file, e);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new DatabaseException("interrupted while opening SQLite database " + file, e);
                }
            }
        }
    }

    private static boolean busy(SQLException e) {
        return (e.getErrorCode() & 0xff) == 5 || String.valueOf(e.getMessage()).contains("SQLITE_BUSY");
    }

    private Connection tryOpenWriter() throws SQLException {
        Connection c = StatementCache.open(file.toString());
        try {
            try (Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("PRAGMA journal_mode=WAL")) {
                    String mode = rs.next() ? rs.getString(1) : null;
                    if (!"wal".equalsIgnoreCase(mode)) {
                        throw new DatabaseException("SQLite refused WAL mode for " + file + " (journal_mode=" + mode
                                + "); the file system may not support it");
                    }
                }
                // why NORMAL and not FULL: in WAL mode NORMAL writes every commit into the WAL file before
                // COMMIT returns, so a killed process (kill -9, crash, OOM) loses nothing acknowledged; only an
                // OS crash or power cut can drop the last few commits (the file stays consistent). That is the
                // promise we make, and FULL would put an fsync behind every write on the single writer.
                s.execute("PRAGMA synchronous=NORMAL");
                // why: checkpoints run beside the writer (WalCheckpointer); this threshold is only a safety net
                s.execute("PRAGMA wal_autocheckpoint=" + WalCheckpointer.WRITER_AUTOCHECKPOINT_PAGES);
                configureCommon(s);
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private Connection openReader() {
        try {
            Connection c = StatementCache.open(file.toString());
            try (Statement s = c.createStatement()) {
                configureCommon(s);
                s.execute("PRAGMA query_only=ON");
            }
            return c;
        } catch (SQLException e) {
            throw new DatabaseException("cannot open SQLite reader on " + file, e);
        }
    }

    private static void configureCommon(Statement s) throws SQLException {
        s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MS);
        s.execute("PRAGMA foreign_keys=ON");
    }

    private void discardWriter(Connection c) {
        closeQuietly(c);
        if (writer == c) {
            writer = null; // reopened by the next write
        }
    }

    private void drainReaders() {
        for (Connection c; (c = idleReaders.pollFirst()) != null; ) {
            closeQuietly(c);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("database " + file + " is closed");
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // why: nothing more can be done about a connection that fails to close; it is dropped either way
            log.debug("closing a SQLite connection failed", e);
        }
    }

    @Override
    public String toString() {
        return "SqliteDatabase[" + file + "]";
    }
}
