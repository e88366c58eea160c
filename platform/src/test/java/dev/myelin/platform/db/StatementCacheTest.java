package dev.myelin.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatementCacheTest {

    @TempDir
    Path dir;
    Connection c;

    @BeforeEach
    void open() throws SQLException {
        c = StatementCache.open(dir.resolve("t.db").toString());
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            s.execute("INSERT INTO t VALUES (1, 'one'), (2, 'two')");
        }
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    /** The statement object itself: the cache hands out the driver's statements. */
    private static PreparedStatement driverStatement(PreparedStatement ps) {
        return ps;
    }

    /** Whether SQLite's statement behind {@code ps} is finalized (a handle back in the cache only looks closed). */
    private static boolean finalized(PreparedStatement ps) {
        return ((org.sqlite.core.CoreStatement) ps).pointer.isClosed();
    }

    @Test
    void theSameSqlGetsTheSameStatementBackOnceClosedWithItsParametersCleared() throws SQLException {
        PreparedStatement first;
        try (PreparedStatement ps = c.prepareStatement("SELECT v FROM t WHERE id = ?")) {
            first = driverStatement(ps);
            ps.setLong(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("one");
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT v FROM t WHERE id = ?")) {
            assertThat(driverStatement(ps)).isSameAs(first);
            // the parameter bound by the previous user is gone: NULL matches no row
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isFalse();
            }
        }
        assertThat(first.isClosed()).as("to its last user").isTrue();
        assertThat(finalized(first)).isFalse();
    }

    @Test
    void aClosedHandleCannotBeUsedAgain() throws SQLException {
        PreparedStatement ps = c.prepareStatement("SELECT v FROM t");
        ps.close();
        assertThat(ps.isClosed()).isTrue();
        assertThatThrownBy(ps::executeQuery).isInstanceOf(SQLException.class);
        ps.close(); // twice is harmless
    }

    @Test
    void aStatementStillInUseIsNotHandedOutTwice() throws SQLException {
        try (PreparedStatement outer = c.prepareStatement("SELECT v FROM t WHERE id = ?");
             PreparedStatement inner = c.prepareStatement("SELECT v FROM t WHERE id = ?")) {
            assertThat(driverStatement(inner)).isNotSameAs(driverStatement(outer));
            outer.setLong(1, 1);
            inner.setLong(1, 2);
            try (ResultSet a = outer.executeQuery(); ResultSet b = inner.executeQuery()) {
                assertThat(a.next() && b.next()).isTrue();
                assertThat(a.getString(1) + b.getString(1)).isEqualTo("onetwo");
            }
        }
    }

    @Test
    void closingWithAnOpenResultSetResetsTheStatementSoTheTransactionCanEnd() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
        }
        PreparedStatement ps = c.prepareStatement("SELECT v FROM t");
        ResultSet rs = ps.executeQuery();
        assertThat(rs.next()).isTrue();
        ps.close(); // the caller forgot the result set
        assertThat(rs.isClosed()).isTrue();
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO t VALUES (3, 'three')");
            s.execute("COMMIT");
        }
        try (Statement s = c.createStatement(); ResultSet count = s.executeQuery("SELECT COUNT(*) FROM t")) {
            count.next();
            assertThat(count.getInt(1)).isEqualTo(3);
        }
    }

    @Test
    void beyondItsCapacityTheLeastRecentlyUsedStatementIsFinalized() throws SQLException {
        PreparedStatement eldest;
        try (PreparedStatement ps = c.prepareStatement("SELECT 0")) {
            eldest = driverStatement(ps);
        }
        for (int i = 1; i <= StatementCache.CAPACITY; i++) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + i)) {
                ps.executeQuery().close();
            }
        }
        assertThat(finalized(eldest)).isTrue();
        try (PreparedStatement ps = c.prepareStatement("SELECT 0"); ResultSet rs = ps.executeQuery()) {
            assertThat(driverStatement(ps)).isNotSameAs(eldest);
            assertThat(rs.next()).isTrue();
        }
    }

    @Test
    void closingTheConnectionFinalizesEveryCachedStatement() throws SQLException {
        PreparedStatement cached;
        try (PreparedStatement ps = c.prepareStatement("SELECT v FROM t")) {
            cached = driverStatement(ps);
        }
        assertThat(finalized(cached)).isFalse();
        c.close();
        assertThat(finalized(cached)).isTrue();
        assertThat(c.isClosed()).isTrue();
    }
}
