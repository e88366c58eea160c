package dev.myelin.platform.stream;

/**
 * Fan-out of facts that need no durability (typing, presence): a message reaches the listeners subscribed at the
 * time it is published, or nobody; nothing is stored, nothing redelivered. Two shapes:
 * {@link InProcessEphemeralStreams} and {@link NatsEphemeralStreams} (plain NATS subjects).
 */
public interface EphemeralStreams extends AutoCloseable {

    /** What a listener does with one message; it is called in publish order, one at a time per listener. */
    @FunctionalInterface
    interface Listener<M> {
        void onMessage(String key, M message);
    }

    /** A listener's registration; closing it stops deliveries to that listener. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    <M> void publish(StreamDefinition<M> stream, String key, M message);

    <M> Registration listen(StreamDefinition<M> stream, Listener<M> listener);

    @Override
    void close();
}
