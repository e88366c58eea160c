package dev.myelin.platform.db;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where components keep their tables: SQLite files under one directory (one file per component), or one
 * PostgreSQL database with one schema per component (named {@code postgresSchemaPrefix + component}).
 * Fields of the other dialect are ignored.
 *
 * @param sqliteDirectory directory holding {@code <component>.db}; created when missing
 * @param sqliteReaders read-only connections per SQLite file
 * @param postgresSchemaPrefix prepended to each component's schema name; empty in production, a fresh random
 *     prefix per test so that tests never share tables
 */
public record DatabaseConfig(
        Dialect dialect,
        Path sqliteDirectory,
        int sqliteReaders,
        String postgresUrl,
        String postgresUser,
        String postgresPassword,
        int postgresPoolSize,
        String postgresSchemaPrefix) {

    public DatabaseConfig {
        Objects.requireNonNull(dialect, "dialect");
        postgresSchemaPrefix = postgresSchemaPrefix == null ? "" : postgresSchemaPrefix;
        switch (dialect) {
            case SQLITE -> {
                Objects.requireNonNull(sqliteDirectory, "sqliteDirectory is required for SQLite");
                if (sqliteReaders < 1) {
                    throw new IllegalArgumentException("sqliteReaders must be at least 1, got " + sqliteReaders);
                }
            }
            case POSTGRES -> {
                Objects.requireNonNull(postgresUrl, "postgresUrl is required for PostgreSQL");
                if (!postgresUrl.startsWith("jdbc:postgresql:")) {
                    throw new IllegalArgumentException("postgresUrl must start with jdbc:postgresql:");
                }
                if (postgresPoolSize < 1) {
                    throw new IllegalArgumentException("postgresPoolSize must be at least 1, got " + postgresPoolSize);
                }
                if (!postgresSchemaPrefix.matches("[a-z0-9_]*")) {
                    throw new IllegalArgumentException("postgresSchemaPrefix may hold only a-z, 0-9 and _");
                }
            }
        }
    }

    /** SQLite files under {@code directory}, with the default number of readers. */
    public static DatabaseConfig sqlite(Path directory) {
        return new DatabaseConfig(Dialect.SQLITE, directory, SqliteDatabase.DEFAULT_READERS, null, null, null, 0, "");
    }

    /** One PostgreSQL database, one schema per component, with the default pool size. */
    public static DatabaseConfig postgres(String url, String user, String password) {
        return new DatabaseConfig(Dialect.POSTGRES, null, 0, url, user, password,
                PostgresDatabase.DEFAULT_POOL_SIZE, "");
    }

    public DatabaseConfig withSqliteReaders(int readers) {
        return new DatabaseConfig(dialect, sqliteDirectory, readers, postgresUrl, postgresUser, postgresPassword,
                postgresPoolSize, postgresSchemaPrefix);
    }

    public DatabaseConfig withPostgresPoolSize(int poolSize) {
        return new DatabaseConfig(dialect, sqliteDirectory, sqliteReaders, postgresUrl, postgresUser,
                postgresPassword, poolSize, postgresSchemaPrefix);
    }

    public DatabaseConfig withPostgresSchemaPrefix(String prefix) {
        return new DatabaseConfig(dialect, sqliteDirectory, sqliteReaders, postgresUrl, postgresUser,
                postgresPassword, postgresPoolSize, prefix);
    }

    /** A JDBC URL without its parameters, which may hold a password. */
    static String printableUrl(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?…";
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return switch (dialect) {
            case SQLITE -> "DatabaseConfig[sqlite, directory=" + sqliteDirectory + ", readers=" + sqliteReaders + "]";
            case POSTGRES -> "DatabaseConfig[postgres, url=" + printableUrl(postgresUrl) + ", user=" + postgresUser
                    + ", password=" + (postgresPassword == null || postgresPassword.isEmpty() ? "(none)" : "***")
                    + ", poolSize=" + postgresPoolSize + ", schemaPrefix=" + postgresSchemaPrefix + "]";
        };
    }
}
