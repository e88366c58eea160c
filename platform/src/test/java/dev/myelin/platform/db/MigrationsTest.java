package dev.myelin.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.platform.db.testing.TestDatabases;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;

/** The migration runner: from empty, idempotent, upgrades, and refuses histories it cannot trust. */
@DatabaseComponent("platformtest")
class MigrationsTest {

    private static final String COMPONENT = "platformtest";

    @DatabaseTest
    void appliesEveryMigrationToAnEmptyDatabase(DatabaseConfig config) {
        try (Database db = Databases.connect(config, COMPONENT)) {
            assertThat(Migrations.apply(db, COMPONENT)).containsExactly(1, 2);
            assertThat(versions(db)).containsExactly("platformtest:1:notes", "platformtest:2:tags");
            db.write(c -> DatabaseContractTest.insert(c, 1, "a"));
            assertThat(db.<Integer>read(c -> DatabaseContractTest.countOf(c, "tags"))).isZero();
        }
    }

    @DatabaseTest
    void reopeningAnUpToDateDatabaseChangesNothing(DatabaseConfig config) {
        try (Database db = Databases.open(config, COMPONENT)) {
            db.write(c -> DatabaseContractTest.insert(c, 7, "kept"));
        }
        try (Database db = Databases.open(config, COMPONENT)) {
            assertThat(Migrations.apply(db, COMPONENT)).isEmpty();
            assertThat(versions(db)).hasSize(2);
            assertThat(db.<String>read(c -> DatabaseContractTest.body(c, 7))).isEqualTo("kept");
            assertThat(db.<Integer>read(c -> DatabaseContractTest.noteCount(c))).isEqualTo(1);
        }
    }

    @DatabaseTest
    void upgradesTheSchemaOfThePreviousRelease(DatabaseConfig config, Dialect dialect) {
        List<Migrations.Script> scripts = Migrations.load(COMPONENT, dialect);
        Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
        try (Database db = Databases.connect(config, COMPONENT)) {
            // the previous release knew only V1
            assertThat(Migrations.apply(db, COMPONENT, scripts.subList(0, 1), clock)).containsExactly(1);
            db.write(c -> DatabaseContractTest.insert(c, 1, "old row"));
        }
        try (Database db = Databases.connect(config, COMPONENT)) {
            assertThat(Migrations.apply(db, COMPONENT, scripts, clock)).containsExactly(2);
            assertThat(db.<String>read(c -> DatabaseContractTest.body(c, 1))).isEqualTo("old row");
            db.write(c -> c.createStatement().executeUpdate("INSERT INTO tags (note_id, tag) VALUES (1, 'x')"));
            assertThat(db.<Long>read(c -> single(c, "SELECT installed_at_ms FROM schema_version WHERE version = 2")))
                    .isEqualTo(clock.millis());
        }
    }

    @DatabaseTest
    void refusesAMigrationEditedAfterItWasApplied(DatabaseConfig config) {
        try (Database db = Databases.open(config, COMPONENT)) {
            db.write(c -> c.createStatement().executeUpdate("UPDATE schema_version SET checksum = 'edited' WHERE version = 1"));
        }
        assertThatThrownBy(() -> Databases.open(config, COMPONENT))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("V1 of platformtest was changed after it was applied");
    }

    @DatabaseTest
    void refusesADatabaseWrittenByANewerRelease(DatabaseConfig config) {
        try (Database db = Databases.open(config, COMPONENT)) {
            db.write(c -> c.createStatement().executeUpdate("INSERT INTO schema_version "
                    + "(component, version, description, checksum, installed_at_ms) VALUES ('platformtest', 99, 'future', 'x', 0)"));
        }
        assertThatThrownBy(() -> Databases.open(config, COMPONENT))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("V99")
                .hasMessageContaining("newer release");
    }

    @DatabaseTest
    void keepsTheHistoryOfEachMigrationSetApart(DatabaseConfig config, Dialect dialect) {
        try (Database db = Databases.open(config, COMPONENT)) {
            // a second set (as the stream layer will add) sharing the database gets its own versions
            Migrations.Script other = new Migrations.Script(1, "other", "CREATE TABLE other_things (id INTEGER)", "c1");
            assertThat(Migrations.apply(db, "othertest", List.of(other), Clock.systemUTC())).containsExactly(1);
            assertThat(Migrations.apply(db, COMPONENT)).isEmpty();
            assertThat(versions(db)).containsExactly("othertest:1:other", "platformtest:1:notes", "platformtest:2:tags");
        }
    }

    @DatabaseTest
    void concurrentStartsMigrateOnce(DatabaseConfig config) throws Exception {
        for (int round = 0; round < 10; round++) { // why: the open race (SQLITE_BUSY on a new file) is rare
            concurrentStartsMigrateOnceRound(config.dialect() == Dialect.SQLITE
                    ? DatabaseConfig.sqlite(config.sqliteDirectory().resolve("round" + round)) : config);
        }
    }

    private void concurrentStartsMigrateOnceRound(DatabaseConfig config) throws Exception {
        List<Database> opened = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Database>> starts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                starts.add(pool.submit(() -> Databases.open(config, COMPONENT)));
            }
            for (Future<Database> f : starts) {
                opened.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(versions(opened.getFirst())).hasSize(2);
        } finally {
            opened.forEach(Database::close);
        }
    }

    @DatabaseTest
    void failsClearlyWhenAComponentHasNoMigrations(DatabaseConfig config) {
        assertThatThrownBy(() -> Databases.open(config, "nosuchcomponent"))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("no migrations found on the classpath at db/nosuchcomponent/");
    }

    @Test
    void refusesAHistoryWithAGapBeforeItsNewestVersion() {
        List<Migrations.Script> scripts = List.of(
                new Migrations.Script(1, "a", "", "c1"), new Migrations.Script(2, "b", "", "c2"));
        assertThatThrownBy(() -> Migrations.pending("x", scripts, Map.of(2, "c2")))
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("V1 of x is older than the applied V2");
        assertThat(Migrations.pending("x", scripts, Map.of(1, "c1"))).extracting(Migrations.Script::version)
                .containsExactly(2);
    }

    @Test
    void readsMigrationsPackedInAJar() throws IOException {
        Path dir = TestDatabases.newTempDirectory();
        try {
            Path jar = dir.resolve("component.jar");
            writeJar(jar, Map.of(
                    "db/jarcomponent/sqlite/V1__first_table.sql", "CREATE TABLE one (id INTEGER);",
                    "db/jarcomponent/sqlite/V2__second.sql", "CREATE TABLE two (id INTEGER);\r\n",
                    "db/jarcomponent/sqlite/nested/V9__ignored.sql", "not read: only the folder itself counts"));
            List<Migrations.Script> scripts = withClassLoaderOf(jar, () -> Migrations.load("jarcomponent", Dialect.SQLITE));
            assertThat(scripts).extracting(Migrations.Script::version).containsExactly(1, 2);
            assertThat(scripts.getFirst().description()).isEqualTo("first table");
            assertThat(scripts.get(1).sql()).as("line endings normalised").isEqualTo("CREATE TABLE two (id INTEGER);\n");

            try (Database db = new SqliteDatabase(dir.resolve("jar.db"))) {
                assertThat(withClassLoaderOf(jar, () -> Migrations.apply(db, "jarcomponent"))).containsExactly(1, 2);
            }
        } finally {
            TestDatabases.deleteRecursively(dir);
        }
    }

    @Test
    void refusesABadlyNamedScript() throws IOException {
        Path dir = TestDatabases.newTempDirectory();
        try {
            Path jar = dir.resolve("bad.jar");
            writeJar(jar, Map.of("db/badcomponent/sqlite/v1-init.sql", "CREATE TABLE x (id INTEGER);"));
            assertThatThrownBy(() -> withClassLoaderOf(jar, () -> Migrations.load("badcomponent", Dialect.SQLITE)))
                    .isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("v1-init.sql is not named V<version>__<description>.sql");
        } finally {
            TestDatabases.deleteRecursively(dir);
        }
    }

    private static List<String> versions(Database db) {
        return db.read(c -> {
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT component, version, description FROM schema_version ORDER BY component, version")) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + ":" + rs.getInt(2) + ":" + rs.getString(3));
                }
            }
            return rows;
        });
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void writeJar(Path jar, Map<String, String> files) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            List<String> dirs = new ArrayList<>();
            for (String name : files.keySet()) {
                for (int i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
                    String d = name.substring(0, i + 1);
                    if (!dirs.contains(d)) {
                        dirs.add(d);
                        j.putNextEntry(new JarEntry(d));
                        j.closeEntry();
                    }
                }
            }
            for (Map.Entry<String, String> f : files.entrySet()) {
                j.putNextEntry(new JarEntry(f.getKey()));
                j.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                j.closeEntry();
            }
        }
    }

    private interface Action<T> {
        T run();
    }

    private static <T> T withClassLoaderOf(Path jar, Action<T> action) throws IOException {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            t.setContextClassLoader(loader);
            return action.run();
        } finally {
            t.setContextClassLoader(previous);
        }
    }
}
