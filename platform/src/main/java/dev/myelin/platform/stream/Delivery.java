package dev.myelin.platform.stream;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One message handed to a consumer: its stream position, its key and the decoded message, plus the means to
 * record it as applied in the consumer's own transaction (which makes the consumer idempotent).
 */
public interface Delivery<M> {

    /** The producer's outbox position: gap-free, increasing, the same in every shape. */
    long position();

    String key();

    M message();

    /**
     * Records this message as applied by this consumer, inside {@code tx}: a write transaction of the consumer's
     * own database (the one given to {@code subscribe}). Returns false — and records nothing — when this position
     * (or a later one) was already applied; the caller must then not apply its change again.
     */
    boolean markApplied(Connection tx) throws SQLException;
}
