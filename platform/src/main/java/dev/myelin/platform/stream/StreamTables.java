package dev.myelin.platform.stream;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.Migrations;
import java.util.List;

/**
 * The stream layer's tables, created by its own migration set ({@code db/stream/<dialect>/V*.sql}) in every
 * component database that produces or consumes a durable stream:
 * <ul>
 *   <li>{@code stream_head}: last position appended per stream (producer side; its row lock orders appends);</li>
 *   <li>{@code stream_outbox}: the transactional outbox, one row per message not yet pruned / relayed;</li>
 *   <li>{@code stream_cursor}: per durable consumer, the position up to which it has handled the stream (embedded
 *       shape only, kept in the producer's database so pruning can see every consumer);</li>
 *   <li>{@code stream_applied}: per durable consumer, the last position it applied (consumer side, written in the
 *       consumer's own transaction: what makes consumers idempotent).</li>
 * </ul>
 */
public final class StreamTables {

    /** The migration set's name, as in {@code Migrations.apply(db, MIGRATIONS)}. */
    public static final String MIGRATIONS = "stream";

    private StreamTables() {
    }

    /** Brings the stream tables of {@code db} up to date; returns the versions applied now. */
    public static List<Integer> migrate(Database db) {
        return Migrations.apply(db, MIGRATIONS);
    }

    /** The last position committed to {@code stream}'s outbox as seen by {@code c} (the producer's database), 0 if none. */
    public static long head(java.sql.Connection c, String stream) throws java.sql.SQLException {
        return Outbox.head(c, stream);
    }

    /** The last position of {@code stream} that {@code consumer} recorded as applied in {@code c} (its database), 0 if none. */
    public static long appliedPosition(java.sql.Connection c, String stream, String consumer) throws java.sql.SQLException {
        return AppliedPositions.read(c, stream, consumer);
    }
}
