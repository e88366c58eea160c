package dev.myelin.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.db.testing.TestDatabases;
import java.net.ServerSocket;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/** What only the PostgreSQL side promises: the schema sticks to every connection, and a dead server fails fast. */
class PostgresDatabaseTest {

    @Test
    void searchPathSurvivesARolledBackTransaction() {
        DatabaseConfig config = TestDatabases.freshPostgres().withPostgresPoolSize(1);
        try (Database db = Databases.open(config, "platformtest")) {
            // one pooled connection: the failing and the following transaction share it
            assertThatThrownBy(() -> db.write(c -> c.createStatement().executeUpdate("INSERT INTO no_such_table VALUES (1)")))
                    .isInstanceOf(DatabaseException.class);
            db.write(c -> DatabaseContractTest.insert(c, 1, "still in the component's schema"));
            assertThat(db.<String>read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT current_schema()")) {
                    rs.next();
                    return rs.getString(1);
                }
            })).isEqualTo(config.postgresSchemaPrefix() + "platformtest");
        } finally {
            TestDatabases.dropSchemas(config.postgresSchemaPrefix());
        }
    }

    @Test
    void readsAreRepeatableReadAndReadOnlyWritesReadCommittedWhicheverCameBefore() {
        DatabaseConfig config = TestDatabases.freshPostgres().withPostgresPoolSize(1);
        try (Database db = Databases.open(config, "platformtest")) {
            for (int i = 0; i < 3; i++) {
                assertThat(db.<String>read(c -> show(c, "transaction_isolation") + "/" + show(c, "transaction_read_only")))
                        .isEqualTo("repeatable read/on");
                assertThat(db.<String>write(c -> show(c, "transaction_isolation") + "/" + show(c, "transaction_read_only")))
                        .isEqualTo("read committed/off");
            }
            // a write commits while a read is open (reads and writes do not wait for each other's connections),
            // and the read's snapshot still holds
            db.write(c -> DatabaseContractTest.insert(c, 1, "before"));
            assertThat(db.<String>read(c -> {
                String first = DatabaseContractTest.body(c, 1);
                var updated = java.util.concurrent.CompletableFuture.supplyAsync(() -> db.<Integer>write(w -> {
                    try (var ps = w.prepareStatement("UPDATE notes SET body = 'after' WHERE id = 1")) {
                        return ps.executeUpdate();
                    }
                }), java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
                try {
                    assertThat(updated.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return first + "/" + DatabaseContractTest.body(c, 1);
            })).isEqualTo("before/before");
            assertThat(db.<String>read(c -> DatabaseContractTest.body(c, 1))).isEqualTo("after");
        } finally {
            TestDatabases.dropSchemas(config.postgresSchemaPrefix());
        }
    }

    private static String show(java.sql.Connection c, String setting) throws java.sql.SQLException {
        try (ResultSet rs = c.createStatement().executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void failsFastWhenTheServerIsUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free now, so nothing listens there
        }
        DatabaseConfig config = DatabaseConfig.postgres(
                "jdbc:postgresql://127.0.0.1:" + port + "/nothing?connectTimeout=2", "postgres", "secret");
        long start = System.nanoTime();
        assertThatThrownBy(() -> Databases.open(config, "platformtest"))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("cannot connect to PostgreSQL")
                .hasMessageNotContaining("secret");
        assertThat(System.nanoTime() - start).isLessThan(30_000_000_000L);
    }
}
