-- The stream layer's tables (dev.myelin.platform.stream.StreamTables), in every component database that
-- produces or consumes a durable stream.

-- Producer side: last position appended per stream; its row lock orders concurrent appends.
CREATE TABLE stream_head (
    stream TEXT NOT NULL PRIMARY KEY,
    position BIGINT NOT NULL
);

-- Producer side: the transactional outbox, one row per message not yet pruned (embedded) or relayed (JetStream).
CREATE TABLE stream_outbox (
    stream TEXT NOT NULL,
    position BIGINT NOT NULL,
    msg_key TEXT NOT NULL,
    payload BLOB NOT NULL,
    PRIMARY KEY (stream, position)
);

-- Producer side, embedded shape only: how far each durable consumer has handled the stream (for pruning).
CREATE TABLE stream_cursor (
    stream TEXT NOT NULL,
    consumer TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (stream, consumer)
);

-- Consumer side: the last position each durable consumer applied, written in the consumer's own transaction.
CREATE TABLE stream_applied (
    stream TEXT NOT NULL,
    consumer TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (stream, consumer)
);
