package dev.myelin.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** kill -9 at an arbitrary instant loses no acknowledged write, and the database reopens without repair. */
@DatabaseComponent("platformtest")
class CrashSafetyTest {

    private static final int ACKNOWLEDGED_BEFORE_KILL = 400;

    @DatabaseTest
    void acknowledgedWritesSurviveKillMinus9(DatabaseConfig config, Dialect dialect) throws Exception {
        try (Database db = Databases.open(config, "platformtest")) {
            assertThat(db.dialect()).isEqualTo(dialect); // schema created; the parent then lets go of the database
        }
        Path stderr = Files.createTempFile("crash-writer", ".err");
        Process child = new ProcessBuilder(command(config))
                .redirectError(stderr.toFile())
                .start();
        List<Long> acknowledged = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(line).as("child started (stderr: %s)", stderr).isEqualTo("ready");
            while (acknowledged.size() < ACKNOWLEDGED_BEFORE_KILL && (line = out.readLine()) != null) {
                acknowledged.add(Long.parseLong(line));
            }
            assertThat(child.isAlive()).as("child still writing when killed (stderr: %s)", stderr).isTrue();
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close(), mid-transaction
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
            Files.deleteIfExists(stderr);
        }
        assertThat(acknowledged).hasSize(ACKNOWLEDGED_BEFORE_KILL);

        try (Database db = Databases.open(config, "platformtest")) {
            Set<Long> stored = db.read(c -> {
                Set<Long> ids = new HashSet<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM notes");
                        ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
                return ids;
            });
            assertThat(stored).containsAll(acknowledged);
            if (dialect == Dialect.SQLITE) {
                assertThat(db.<String>read(c -> {
                    try (ResultSet rs = c.createStatement().executeQuery("PRAGMA integrity_check")) {
                        rs.next();
                        return rs.getString(1);
                    }
                })).isEqualTo("ok");
            }
            // and it takes writes again
            db.write(c -> DatabaseContractTest.insert(c, -1, "after the crash"));
        }
    }

    private static List<String> command(DatabaseConfig config) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-XX:TieredStopAtLevel=1",
                CrashWriter.class.getName()));
        switch (config.dialect()) {
            case SQLITE -> cmd.addAll(List.of("sqlite", config.sqliteDirectory().toString()));
            case POSTGRES -> cmd.addAll(List.of("postgres", config.postgresUrl(), config.postgresUser(),
                    config.postgresSchemaPrefix()));
        }
        return cmd;
    }
}
