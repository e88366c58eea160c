package dev.myelin.platform.stream;

/** A running durable consumer; closing it stops deliveries (its durable position stays). */
public interface Subscription extends AutoCloseable {

    String consumer();

    /** Position of the last message this consumer handled in this process (0 before the first). */
    long handledPosition();

    /** Messages written to the stream that this consumer has not handled yet, as far as known (for metrics). */
    long lag();

    @Override
    void close();
}
