package dev.myelin.platform.stream;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Writes messages of one stream into the transactional outbox of the producer's database. {@link #append} runs
 * inside the producer's own write transaction, so the message commits or rolls back with the change it describes.
 */
public interface StreamProducer<M> {

    /**
     * Appends {@code message} under {@code key} in the transaction {@code tx} (a connection given by
     * {@code Database.write} of the database this producer was created for) and returns its stream position.
     *
     * <p>Positions are gap-free and commit in order: appending takes the stream's head row lock until
     * {@code tx} ends, so call this late in the transaction — concurrent producers of the same stream wait for it.
     */
    long append(Connection tx, String key, M message) throws SQLException;

    StreamDefinition<M> stream();
}
