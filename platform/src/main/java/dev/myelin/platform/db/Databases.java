package dev.myelin.platform.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.regex.Pattern;

/** Opens a component's database from {@link DatabaseConfig}: the one entry point start-up code uses. */
public final class Databases {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    private Databases() {}

    /** Opens the component's database and brings its schema up to date with the component's migrations. */
    public static Database open(DatabaseConfig config, String component) {
        Database db = connect(config, component);
        try {
            Migrations.apply(db, component);
            return db;
        } catch (RuntimeException | Error e) {
            db.close();
            throw e;
        }
    }

    /**
     * Opens the component's database without migrating it (for tools and tests; servers use {@link #open}).
     * SQLite: {@code <sqliteDirectory>/<component>.db}. PostgreSQL: schema {@code <postgresSchemaPrefix><component>}.
     */
    public static Database connect(DatabaseConfig config, String component) {
        checkName("component", component);
        return switch (config.dialect()) {
            case SQLITE -> {
                try {
                    Files.createDirectories(config.sqliteDirectory());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create database directory " + config.sqliteDirectory(), e);
                }
                yield new SqliteDatabase(config.sqliteDirectory().resolve(component + ".db"), config.sqliteReaders());
            }
            case POSTGRES -> new PostgresDatabase(config.postgresUrl(), config.postgresUser(),
                    config.postgresPassword(), config.postgresPoolSize(),
                    checkName("schema", config.postgresSchemaPrefix() + component));
        };
    }

    /** Component and schema names go into file names and unquoted SQL identifiers: keep them plain. */
    static String checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    what + " name must match " + NAME.pattern() + ", got " + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }
}
