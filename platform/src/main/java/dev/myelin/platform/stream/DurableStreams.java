package dev.myelin.platform.stream;

import dev.myelin.platform.db.Database;

/**
 * The durable stream layer of one process: at-least-once delivery, in order per stream (hence per key), to
 * named durable consumers. Two shapes: {@link InProcessStreams} (embedded) and {@link JetStreamStreams}
 * (distributed).
 */
public interface DurableStreams extends AutoCloseable {

    /**
     * The producer of {@code stream}, whose outbox lives in {@code producerDb} (the producing component's own
     * database, which must carry the stream tables). Call once per stream per process.
     */
    <M> StreamProducer<M> producer(StreamDefinition<M> stream, Database producerDb);

    /**
     * Starts the durable consumer {@code consumer} of {@code stream}. Its applied position is kept in
     * {@code consumerDb} (the consuming component's own database, which must carry the stream tables); a consumer
     * that never ran before starts from the oldest message still retained.
     */
    <M> Subscription subscribe(StreamDefinition<M> stream, String consumer, Database consumerDb,
                               StreamHandler<M> handler);

    /**
     * Registers the durable consumer {@code consumer} of {@code stream} without starting it, so that everything
     * produced from now on is retained for it (interest retention keeps only what some declared consumer still
     * needs). Start-up declares every consumer of the deployment before any producer runs; idempotent.
     */
    void declareConsumer(StreamDefinition<?> stream, String consumer);

    /** Stops every subscription and relay of this process. */
    @Override
    void close();
}
