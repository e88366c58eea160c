package dev.myelin.platform.db.testing;

import dev.myelin.platform.db.DatabaseConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Fresh storage for tests, usable without {@link DatabaseTest} too (e.g. from a {@code @ParameterizedTest}).
 *
 * <p>PostgreSQL: the admin connection is database {@code test} as user {@code postgres} at 127.0.0.1:5432
 * (override host:port with {@code MYELIN_TEST_POSTGRES}). On first use, one database
 * {@code myelin_test_<random>} is created for this JVM and dropped when the JVM exits; every test then gets a
 * fresh schema prefix inside it. If the server is unreachable, PostgreSQL tests are aborted with the reason
 * (reported as skipped) unless {@code MYELIN_REQUIRE_SERVICES=1}, in which case they fail.
 */
public final class TestDatabases {

    private static final String HOST_PORT = System.getenv().getOrDefault("MYELIN_TEST_POSTGRES", "127.0.0.1:5432");
    private static final String USER = "postgres";
    private static final ReentrantLock lock = new ReentrantLock();
    private static String jvmDatabaseUrl; // guarded by lock
    private static String unavailable; // guarded by lock: why PostgreSQL cannot be used, once known

    private TestDatabases() {}

    /** SQLite storage in {@code directory} (one file per component). */
    public static DatabaseConfig sqlite(Path directory) {
        return DatabaseConfig.sqlite(directory);
    }

    /** A temporary directory for SQLite files; remove it with {@link #deleteRecursively}. */
    public static Path newTempDirectory() throws IOException {
        return Files.createTempDirectory("myelin-db-test-");
    }

    /**
     * PostgreSQL storage no other test shares: this JVM's test database with a fresh schema prefix. Aborts the
     * calling test (or fails it under {@code MYELIN_REQUIRE_SERVICES=1}) when PostgreSQL is unreachable.
     */
    public static DatabaseConfig freshPostgres() {
        String url = jvmDatabaseUrl();
        return DatabaseConfig.postgres(url, USER, "")
                .withPostgresPoolSize(4)
                .withPostgresSchemaPrefix("t" + randomHex() + "_");
    }

    /** Drops every schema of this JVM's test database whose name starts with {@code prefix}. */
    public static void dropSchemas(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("refusing to drop schemas without a prefix");
        }
        try (Connection c = DriverManager.getConnection(jvmDatabaseUrl(), connectionProperties())) {
            List<String> schemas = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, ?)")) {
                ps.setString(1, prefix);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        schemas.add(rs.getString(1));
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                for (String schema : schemas) {
                    s.execute("DROP SCHEMA \"" + schema + "\" CASCADE");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schemas " + prefix + "*", e);
        }
    }

    public static void deleteRecursively(Path directory) throws IOException {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** True when {@code MYELIN_REQUIRE_SERVICES=1}: a missing service is a failure, not a skip. */
    public static boolean servicesRequired() {
        return "1".equals(System.getenv("MYELIN_REQUIRE_SERVICES"));
    }

    /** The JDBC URL of this JVM's test database, created on first call. */
    private static String jvmDatabaseUrl() {
        lock.lock();
        try {
            if (jvmDatabaseUrl == null && unavailable == null) {
                createJvmDatabase();
            }
            if (unavailable != null) {
                String message = "PostgreSQL test variant skipped: " + unavailable;
                if (servicesRequired()) {
                    throw new AssertionError(message + " (MYELIN_REQUIRE_SERVICES=1, so this is a failure)");
                }
                Assumptions.abort(message);
            }
            return jvmDatabaseUrl;
        } finally {
            lock.unlock();
        }
    }

    private static void createJvmDatabase() {
        String admin = "jdbc:postgresql://" + HOST_PORT + "/test";
        String name = "myelin_test_" + randomHex();
        try (Connection c = DriverManager.getConnection(admin, connectionProperties());
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            unavailable = "cannot reach PostgreSQL at " + admin + " as " + USER + " (" + e.getMessage() + ")";
            return;
        }
        jvmDatabaseUrl = "jdbc:postgresql://" + HOST_PORT + "/" + name;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Connection c = DriverManager.getConnection(admin, connectionProperties());
                    Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (SQLException e) {
                System.err.println("could not drop test database " + name + ": " + e.getMessage());
            }
        }, "drop-" + name));
    }

    private static Properties connectionProperties() {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("connectTimeout", "3");
        p.setProperty("loginTimeout", "5");
        return p;
    }

    private static String randomHex() {
        byte[] bytes = new byte[5];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
