package dev.myelin.platform.stream;

import dev.myelin.platform.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What a durable consumer does with each message. Returning counts as handled (acknowledged); throwing means the
 * same message is delivered again later, before any later message (order per stream is kept).
 */
@FunctionalInterface
public interface StreamHandler<M> {

    void handle(Delivery<M> delivery) throws Exception;

    /**
     * Handles consecutive messages, oldest first, as one unit; the default hands them to {@link #handle} one by one.
     * A handler that overrides it applies them together, typically in one transaction that also records each
     * position. If it throws, every message of the list not yet recorded as applied is delivered again, one at a
     * time, through {@link #handle} (so a failing message is retried alone, and order is kept).
     * why: one transaction per message made the consumers' commits the largest cost after a send.
     */
    default void handleAll(List<Delivery<M>> deliveries) throws Exception {
        for (Delivery<M> delivery : deliveries) {
            handle(delivery);
        }
    }

    /** The change one message makes in the consumer's own database, in the transaction that records it. */
    @FunctionalInterface
    interface Apply<M> {
        void apply(Connection tx, Delivery<M> delivery) throws SQLException;
    }

    /**
     * The usual idempotent consumer: one write transaction on {@code consumerDb} that records the position and
     * applies the change together (one transaction for a batch of messages); a redelivered message that was already
     * applied is skipped.
     */
    static <M> StreamHandler<M> transactional(Database consumerDb, Apply<M> apply) {
        return new StreamHandler<>() {
            @Override
            public void handle(Delivery<M> delivery) {
                handleAll(List.of(delivery));
            }

            @Override
            public void handleAll(List<Delivery<M>> deliveries) {
                consumerDb.write(tx -> {
                    for (Delivery<M> delivery : deliveries) {
                        if (delivery.markApplied(tx)) {
                            apply.apply(tx, delivery);
                        }
                    }
                    return null;
                });
            }
        };
    }
}
