package dev.myelin.platform.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forward-only schema migrations, run at start-up. A component's scripts live on the classpath at
 * {@code db/<component>/sqlite/V<n>__<description>.sql} and {@code db/<component>/postgres/V<n>__<description>.sql}:
 * one full script per dialect, so the dialect differences of a schema sit side by side in one folder.
 * Applied versions are recorded with a SHA-256 checksum in {@code schema_version} inside the database (SQLite
 * file / PostgreSQL schema), keyed by component, so several migration sets (e.g. a component's tables and the
 * stream layer's) can share one database.
 *
 * <p>All pending scripts run in one write transaction (both dialects have transactional DDL): a crash mid-way
 * leaves the previous version intact. Start-up refuses a database whose applied scripts were edited, that holds
 * a version this code does not know (a newer release), or that misses a script older than its newest version.
 *
 * <p>why our own runner instead of Flyway (which still supports SQLite in flyway-core 13): measured on this
 * project, Flyway's first migrate costs about 400 ms of start-up (then ~25 ms per component), this runner
 * about 10 ms; and it is two fewer dependencies.
 */
public final class Migrations {

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);
    private static final Pattern SCRIPT = Pattern.compile("V([1-9][0-9]{0,8})__([A-Za-z0-9_]+)\\.sql");

    /** One migration script. */
    record Script(int version, String description, String sql, String checksum) {}

    private Migrations() {}

    /** Applies the component's pending migrations; returns the versions applied now (empty when up to date). */
    public static List<Integer> apply(Database db, String component) {
        return apply(db, component, Clock.systemUTC());
    }

    /** Applies {@code scripts} as the component's migrations (tests pass a prefix of them to play an old release). */
    static List<Integer> apply(Database db, String component, List<Script> scripts, Clock clock) {
        List<Integer> applied = db.write(c -> {
            if (db.dialect() == Dialect.POSTGRES) {
                // why: several processes may start the same component at once; the lock makes the second wait
                // and then find the work done. (On SQLite, BEGIN IMMEDIATE already serialises them.)
                Transactions.execute(c, "SELECT pg_advisory_xact_lock(hashtext('myelin.migrations.' || current_schema()))");
            }
            Transactions.execute(c, "CREATE TABLE IF NOT EXISTS schema_version ("
                    + "component TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL, "
                    + "checksum TEXT NOT NULL, installed_at_ms BIGINT NOT NULL, PRIMARY KEY (component, version))");
            Map<Integer, String> done = appliedChecksums(c, component);
            List<Script> pending = pending(component, scripts, done);
            for (Script s : pending) {
                runScript(c, db.dialect(), s.sql());
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_version "
                        + "(component, version, description, checksum, installed_at_ms) VALUES (?, ?, ?, ?, ?)")) {
                    ps.setString(1, component);
                    ps.setInt(2, s.version());
                    ps.setString(3, s.description());
                    ps.setString(4, s.checksum());
                    ps.setLong(5, clock.millis());
                    ps.executeUpdate();
                }
            }
            return pending.stream().map(Script::version).toList();
        });
        if (!applied.isEmpty()) {
            log.info("Migrated {} database {} to version {} (applied {})", component, db, applied.getLast(), applied);
        }
        return applied;
    }

    static List<Integer> apply(Database db, String component, Clock clock) {
        Databases.checkName("component", component);
        return apply(db, component, load(component, db.dialect()), clock);
    }

    private static void runScript(Connection c, Dialect dialect, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            switch (dialect) {
                // why: sqlite-jdbc's execute() runs only the FIRST statement of a script and silently drops the
                // rest; executeUpdate() hands the whole text to sqlite3_exec, which runs every statement.
                case SQLITE -> st.executeUpdate(sql);
                // why: pgjdbc runs every statement of an unparameterised script; execute() also accepts scripts
                // whose statements return rows (e.g. SELECT setval(...)).
                case POSTGRES -> st.execute(sql);
            }
        }
    }

    private static Map<Integer, String> appliedChecksums(Connection c, String component) throws SQLException {
        Map<Integer, String> done = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT version, checksum FROM schema_version WHERE component = ?")) {
            ps.setString(1, component);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    done.put(rs.getInt(1), rs.getString(2));
                }
            }
        }
        return done;
    }

    /** The scripts still to run, after checking that the database's history agrees with the scripts. */
    static List<Script> pending(String component, List<Script> scripts, Map<Integer, String> done) {
        int newestApplied = done.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        Map<Integer, Script> byVersion = new TreeMap<>();
        scripts.forEach(s -> byVersion.put(s.version(), s));
        for (Map.Entry<Integer, String> e : done.entrySet()) {
            Script s = byVersion.get(e.getKey());
            if (s == null) {
                throw new DatabaseException("database of " + component + " has migration V" + e.getKey()
                        + " which this release does not know: it was written by a newer release");
            }
            if (!s.checksum().equals(e.getValue())) {
                throw new DatabaseException("migration V" + s.version() + " of " + component
                        + " was changed after it was applied; add a new migration instead of editing it");
            }
        }
        List<Script> pending = new ArrayList<>();
        for (Script s : byVersion.values()) {
            if (done.containsKey(s.version())) {
                continue;
            }
            if (s.version() < newestApplied) {
                throw new DatabaseException("migration V" + s.version() + " of " + component
                        + " is older than the applied V" + newestApplied + " but was never applied");
            }
            pending.add(s);
        }
        return pending;
    }

    /** Reads {@code db/<component>/<dialect>/V*.sql} from every classpath entry, ordered by version. */
    static List<Script> load(String component, Dialect dialect) {
        String folder = "db/" + component + "/" + folderName(dialect);
        Map<String, byte[]> files = new TreeMap<>();
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (loader == null) {
                loader = Migrations.class.getClassLoader();
            }
            for (Enumeration<URL> urls = loader.getResources(folder); urls.hasMoreElements(); ) {
                list(urls.nextElement(), folder, files);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migrations from classpath " + folder, e);
        }
        if (files.isEmpty()) {
            throw new DatabaseException("no migrations found on the classpath at " + folder + "/");
        }
        Map<Integer, Script> byVersion = new TreeMap<>();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Matcher m = SCRIPT.matcher(f.getKey());
            if (!m.matches()) {
                throw new DatabaseException("migration file " + folder + "/" + f.getKey()
                        + " is not named V<version>__<description>.sql");
            }
            // why: normalise line endings so a checkout with CRLF does not look like an edited migration
            String sql = new String(f.getValue(), StandardCharsets.UTF_8).replace("\r\n", "\n");
            Script s = new Script(Integer.parseInt(m.group(1)), m.group(2).replace('_', ' '), sql, sha256(sql));
            Script clash = byVersion.put(s.version(), s);
            if (clash != null) {
                throw new DatabaseException("two migrations with version " + s.version() + " in " + folder);
            }
        }
        return List.copyOf(byVersion.values());
    }

    static String folderName(Dialect dialect) {
        return switch (dialect) {
            case SQLITE -> "sqlite";
            case POSTGRES -> "postgres";
        };
    }

    private static void list(URL url, String folder, Map<String, byte[]> files) throws IOException {
        switch (url.getProtocol()) {
            case "file" -> {
                Path dir;
                try {
                    dir = Path.of(url.toURI());
                } catch (URISyntaxException e) {
                    throw new IOException("bad classpath URL " + url, e);
                }
                try (Stream<Path> entries = Files.list(dir)) {
                    for (Path p : entries.filter(Files::isRegularFile).sorted().toList()) {
                        add(files, folder, p.getFileName().toString(), Files.readAllBytes(p));
                    }
                }
            }
            case "jar" -> {
                URLConnection connection = url.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = ((JarURLConnection) connection).getJarFile()) {
                    String prefix = folder + "/";
                    for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                        JarEntry e = entries.nextElement();
                        String name = e.getName();
                        if (!e.isDirectory() && name.startsWith(prefix) && name.indexOf('/', prefix.length()) < 0) {
                            try (InputStream in = jar.getInputStream(e)) {
                                add(files, folder, name.substring(prefix.length()), in.readAllBytes());
                            }
                        }
                    }
                }
            }
            default -> throw new IOException("cannot list migrations at " + url + " (unsupported URL scheme)");
        }
    }

    private static void add(Map<String, byte[]> files, String folder, String name, byte[] content) {
        byte[] other = files.putIfAbsent(name, content);
        if (other != null && !java.util.Arrays.equals(other, content)) {
            throw new DatabaseException("two different copies of " + folder + "/" + name + " on the classpath");
        }
    }

    private static String sha256(String sql) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(sql.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
