/**
 * Database access for every component, in two dialects.
 *
 * <p>{@link dev.myelin.platform.db.Databases#open} turns a {@link dev.myelin.platform.db.DatabaseConfig} and a
 * component name into a migrated {@link dev.myelin.platform.db.Database}: a SQLite file
 * ({@link dev.myelin.platform.db.SqliteDatabase}: WAL, one writer behind a fair lock, a few query-only readers)
 * or a PostgreSQL schema ({@link dev.myelin.platform.db.PostgresDatabase}: HikariCP, search_path fixed to the
 * schema). {@link dev.myelin.platform.db.Migrations} applies the component's forward-only scripts from
 * {@code db/<component>/<sqlite|postgres>/V<n>__<description>.sql}. Tests run on both dialects with
 * {@code dev.myelin.platform.db.testing.DatabaseTest} from the platform test-jar.
 */
package dev.myelin.platform.db;
