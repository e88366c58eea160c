package dev.myelin.platform.stream;

import dev.myelin.platform.db.Database;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What a durable consumer does with each message. Returning counts as handled (acknowledged); throwing means the
 * same message is delivered again later, before any later message (order per stream is kept).
 */
@FunctionalInterface
public interface StreamHandler<M> {

    void handle(Delivery<M> delivery) throws Exception;

    /** The change one message makes in the consumer's own database, in the transaction that records it. */
    @FunctionalInterface
    interface Apply<M> {
        void apply(Connection tx, Delivery<M> delivery) throws SQLException;
    }

    /**
     * The usual idempotent consumer: one write transaction on {@code consumerDb} that records the position and
     * applies the change together; a redelivered message that was already applied is skipped.
     */
    static <M> StreamHandler<M> transactional(Database consumerDb, Apply<M> apply) {
        return delivery -> consumerDb.write(tx -> {
            if (delivery.markApplied(tx)) {
                apply.apply(tx, delivery);
            }
            return null;
        });
    }
}
