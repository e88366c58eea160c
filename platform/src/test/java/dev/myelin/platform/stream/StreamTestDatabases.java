package dev.myelin.platform.stream;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Databases;
import dev.myelin.platform.db.Dialect;
import dev.myelin.platform.db.testing.TestDatabases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fresh component databases (with the stream tables migrated) for the stream tests, in one dialect, from the db
 * layer's test storage; each can be described as a spec string so that a child JVM reopens the same database.
 */
final class StreamTestDatabases implements AutoCloseable {

    private final DatabaseConfig config;
    private final Path sqliteDirectory;
    private final List<Database> open = new ArrayList<>();
    private final Map<Database, String> specs = new HashMap<>();
    private int next;

    StreamTestDatabases(Dialect dialect) throws Exception {
        if (dialect == Dialect.SQLITE) {
            sqliteDirectory = TestDatabases.newTempDirectory();
            config = TestDatabases.sqlite(sqliteDirectory);
        } else {
            sqliteDirectory = null;
            config = TestDatabases.freshPostgres();
        }
    }

    /** A new, empty component database with the stream tables. */
    synchronized Database newDatabase() {
        String component = "c" + (++next);
        Database db = open(spec(config, component));
        open.add(db);
        specs.put(db, spec(config, component));
        return db;
    }

    synchronized String spec(Database db) {
        return specs.get(db);
    }

    private static String spec(DatabaseConfig config, String component) {
        return switch (config.dialect()) {
            case SQLITE -> "sqlite|" + config.sqliteDirectory() + "|" + component;
            case POSTGRES -> "postgres|" + config.postgresUrl() + "|" + config.postgresSchemaPrefix() + "|" + component;
        };
    }

    /** Opens (and migrates) the database a spec names: in this JVM or in a child. */
    static Database open(String spec) {
        String[] p = spec.split("\\|");
        DatabaseConfig config;
        String component;
        if (p[0].equals("sqlite")) {
            config = DatabaseConfig.sqlite(Path.of(p[1]));
            component = p[2];
        } else {
            config = DatabaseConfig.postgres(p[1], "postgres", "").withPostgresPoolSize(4)
                    .withPostgresSchemaPrefix(p[2]);
            component = p[3];
        }
        Database db = Databases.connect(config, component);
        StreamTables.migrate(db);
        return db;
    }

    @Override
    public synchronized void close() throws Exception {
        open.forEach(Database::close);
        open.clear();
        if (sqliteDirectory != null) {
            TestDatabases.deleteRecursively(sqliteDirectory);
        } else {
            TestDatabases.dropSchemas(config.postgresSchemaPrefix());
        }
    }
}
