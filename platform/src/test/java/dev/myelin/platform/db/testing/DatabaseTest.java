package dev.myelin.platform.db.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test method twice, once on SQLite and once on PostgreSQL, each time on fresh, empty
 * storage. The method may take any of these parameters:
 * <ul>
 *   <li>{@link dev.myelin.platform.db.Database}: opened and migrated for the class's {@link DatabaseComponent},
 *       closed after the test;</li>
 *   <li>{@link dev.myelin.platform.db.DatabaseConfig}: the same fresh storage, to open (or reopen) databases
 *       yourself with {@link dev.myelin.platform.db.Databases} — close what you open;</li>
 *   <li>{@link dev.myelin.platform.db.Dialect}: which variant is running.</li>
 * </ul>
 * When PostgreSQL is unreachable the PostgreSQL variant is skipped (aborted with the reason), unless
 * {@code MYELIN_REQUIRE_SERVICES=1}, in which case it fails. See {@link TestDatabases} for the details.
 *
 * <pre>{@code
 * @DatabaseComponent("roomserver")
 * class EventsTableTest {
 *     @DatabaseTest
 *     void storesAnEvent(Database db) { ... }
 * }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(BothDialects.class)
public @interface DatabaseTest {}
