/**
 * The stream layer: facts one component publishes and others react to, at least once, in order per stream.
 *
 * <p>Durable streams ({@link dev.myelin.platform.stream.DurableStreams}) use a transactional outbox: a producer
 * calls {@link dev.myelin.platform.stream.StreamProducer#append} inside its own write transaction, which inserts
 * a row into {@code stream_outbox} with the next position from {@code stream_head} (gap-free, committed in order
 * because the head row stays locked until the transaction ends). Consumers are idempotent: a handler records the
 * position it applied with {@link dev.myelin.platform.stream.Delivery#markApplied} in its own transaction
 * ({@code stream_applied}), and a redelivered message at or below it is skipped.
 * <ul>
 *   <li>{@link dev.myelin.platform.stream.InProcessStreams} (embedded): consumers read the producer's outbox,
 *       are woken in process on append, and keep a cursor in the producer's database; rows are pruned once every
 *       declared consumer's cursor has passed them.</li>
 *   <li>{@link dev.myelin.platform.stream.JetStreamStreams} (distributed): a relay publishes outbox rows to a
 *       JetStream stream with the position as message id and deletes them once stored; durable pull consumers,
 *       explicit ack, interest retention.</li>
 * </ul>
 * Ephemeral streams ({@link dev.myelin.platform.stream.EphemeralStreams}: typing, presence) are plain fan-out,
 * in process or over core NATS subjects.
 */
package dev.myelin.platform.stream;
