package dev.myelin.platform.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;

/** The consumer-side guard against double application, on both dialects. */
@DatabaseComponent(StreamTables.MIGRATIONS)
class AppliedPositionsTest {

    private static boolean mark(Database db, String consumer, long position) {
        return db.write(tx -> new DeliveredMessage<>("s", consumer, position, "k", "m").markApplied(tx));
    }

    private static long applied(Database db) {
        return db.read(c -> AppliedPositions.read(c, "s", "sync"));
    }

    @DatabaseTest
    void recordsAPositionOnlyOnceAndNeverMovesBack(Database db) {
        assertThat(mark(db, "sync", 5)).isTrue();
        assertThat(mark(db, "sync", 5)).as("same message again").isFalse();
        assertThat(mark(db, "sync", 3)).as("older message").isFalse();
        assertThat(applied(db)).isEqualTo(5);
        assertThat(mark(db, "sync", 6)).isTrue();
        assertThat(mark(db, "federation", 1)).as("consumers are independent").isTrue();
        assertThat(applied(db)).isEqualTo(6);
    }

    @DatabaseTest
    void aRolledBackApplyRecordsNothing(Database db) {
        try {
            db.write(tx -> {
                new DeliveredMessage<>("s", "sync", 1, "k", "m").markApplied(tx);
                throw new IllegalStateException("the consumer's change failed");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }
        assertThat(applied(db)).isZero();
        assertThat(mark(db, "sync", 1)).isTrue();
    }
}
