package dev.myelin.platform.stream;

import java.sql.Connection;
import java.sql.SQLException;

/** The {@link Delivery} both shapes hand to handlers. */
record DeliveredMessage<M>(String stream, String consumer, long position, String key, M message)
        implements Delivery<M> {

    @Override
    public boolean markApplied(Connection tx) throws SQLException {
        return AppliedPositions.markApplied(tx, stream, consumer, position);
    }
}
