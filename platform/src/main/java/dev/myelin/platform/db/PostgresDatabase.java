package dev.myelin.platform.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One component's tables in PostgreSQL: a HikariCP pool whose connections all have {@code search_path} set to the
 * component's own schema (created when missing), so the component's SQL never names a schema.
 *
 * <p>write() is one transaction at PostgreSQL's default READ COMMITTED isolation; unlike SQLite, write()s from
 * different threads run concurrently, so code must rely on constraints, {@code ON CONFLICT} or
 * {@code SELECT … FOR UPDATE}, never on writes being serial. read() is a READ ONLY REPEATABLE READ transaction:
 * one snapshot for its whole duration, as on SQLite. Nesting is refused as in {@link SqliteDatabase}.
 *
 * <p>Reads and writes take connections from two pools: the read pool's connections have REPEATABLE READ and READ ONLY
 * as their session defaults. why: a read then begins with the driver's {@code BEGIN READ ONLY}, sent together with
 * its first query; a {@code SET TRANSACTION} on a shared pool's connection was a round trip of its own in every read
 * (about 2.6 per message sent, on the send-to-sync path among others).
 */
public final class PostgresDatabase implements Database {

    /** Pool size when the caller does not say: components are many, PostgreSQL connections are not cheap. */
    public static final int DEFAULT_POOL_SIZE = 4;

    private final HikariDataSource pool;
    private final HikariDataSource readPool;
    private final String schema;
    private final Transactions.NestingGuard nesting = new Transactions.NestingGuard();
    private final Transactions.Steps writeSteps = Transactions.jdbc(null);
    // why: isolation and read-only are the read pool's session defaults (set once per connection), so a read
    // needs no statement of its own before its first query
    private final Transactions.Steps readSteps = Transactions.jdbc(null);

    /**
     * Opens the pool and creates {@code schema} if it does not exist. Fails fast with {@link DatabaseException}
     * when the server cannot be reached.
     */
    public PostgresDatabase(String jdbcUrl, String user, String password, int poolSize, String schema) {
        Databases.checkName("schema", schema);
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, got " + poolSize);
        }
        this.schema = schema;
        HikariConfig config = poolConfig(jdbcUrl, user, password, poolSize, schema);
        // why: many components (and, distributed, many processes) share one server's max_connections; keep idle
        // connections few and let the pool grow to poolSize under load
        config.setMinimumIdle(1);
        config.setPoolName("myelin-" + schema);
        this.pool = open(config, jdbcUrl, schema);
        HikariConfig reads = poolConfig(jdbcUrl, user, password, poolSize, schema);
        // why: no idle connection kept for reads: a component that never reads holds none, and the first read
        // opens one that stays while reads keep coming
        reads.setMinimumIdle(0);
        reads.setPoolName("myelin-" + schema + "-read");
        reads.setReadOnly(true);
        reads.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
        try {
            this.readPool = open(reads, jdbcUrl, schema);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        try {
            write(c -> {
                // why: two processes starting the same component at once would race on CREATE SCHEMA IF NOT
                // EXISTS (it is not atomic against itself); the transaction-scoped advisory lock serialises them.
                Transactions.execute(c, "SELECT pg_advisory_xact_lock(hashtext('myelin.schema." + schema + "'))");
                Transactions.execute(c, "CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
                return null;
            });
        } catch (RuntimeException e) {
            readPool.close();
            pool.close();
            throw e;
        }
    }

    private static HikariConfig poolConfig(String jdbcUrl, String user, String password, int poolSize, String schema) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        // why: the driver sends search_path in the connection's start-up packet, so it is the session default:
        // no transaction can roll it back and RESET cannot lose it (Hikari's setSchema runs a SET inside
        // whatever transaction is open, which a rollback would undo).
        config.addDataSourceProperty("currentSchema", schema);
        // why: connections rest in auto-commit mode so that the pool's own queries never leave a transaction
        // open; each write()/read() switches it off for its transaction and Hikari switches it back on return.
        config.setAutoCommit(true);
        return config;
    }

    private static HikariDataSource open(HikariConfig config, String jdbcUrl, String schema) {
        try {
            return new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            String where = "cannot connect to PostgreSQL at " + DatabaseConfig.printableUrl(jdbcUrl)
                    + " for schema " + schema;
            throw e.getCause() instanceof SQLException s
                    ? new DatabaseException(where, s)
                    : new DatabaseException(where + ": " + e.getMessage());
        }
    }

    @Override
    public Dialect dialect() {
        return Dialect.POSTGRES;
    }

    /** The schema holding this component's tables. */
    public String schema() {
        return schema;
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        return transaction("write", false, work);
    }

    @Override
    public <T> T read(SqlWork<T> work) {
        return transaction("read", true, work);
    }

    private <T> T transaction(String kind, boolean readOnly, SqlWork<T> work) {
        nesting.enter(kind);
        try (Connection c = borrow(readOnly ? readPool : pool)) {
            // why: a broken connection is closed by Hikari when returned (it inspects the SQLState), so the
            // discard hook has nothing more to do.
            return Transactions.run(c, readOnly ? readSteps : writeSteps, work,
                    kind + " transaction in schema " + schema, () -> {});
        } catch (SQLException e) {
            throw new DatabaseException("cannot return connection after " + kind + " in schema " + schema, e);
        } finally {
            nesting.exit();
        }
    }

    private Connection borrow(HikariDataSource from) {
        if (from.isClosed()) {
            throw new IllegalStateException("database for schema " + schema + " is closed");
        }
        try {
            return from.getConnection();
        } catch (SQLException e) {
            throw new DatabaseException("no PostgreSQL connection for schema " + schema, e);
        }
    }

    @Override
    public void close() {
        readPool.close();
        pool.close();
    }

    @Override
    public String toString() {
        return "PostgresDatabase[" + schema + "]";
    }
}
