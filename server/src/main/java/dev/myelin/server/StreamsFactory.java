package dev.myelin.server;

import dev.myelin.platform.config.MyelinConfig;
import dev.myelin.platform.stream.DurableStreams;
import dev.myelin.platform.stream.EphemeralStreams;
import dev.myelin.platform.stream.InProcessEphemeralStreams;
import dev.myelin.platform.stream.NatsEphemeralStreams;
import dev.myelin.platform.stream.NatsNames;
import dev.myelin.platform.stream.InProcessStreams;
import dev.myelin.platform.stream.JetStreamStreams;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.io.IOException;

/** Opens the stream layers the configuration asks for: in process (embedded) or NATS JetStream (distributed). */
final class StreamsFactory {
    private StreamsFactory() {}

    /**
     * Opens the ephemeral streams (typing, presence): in process, or plain NATS subjects on a connection of their own
     * when the durable streams are JetStream (so every process hears every change).
     */
    static EphemeralStreams openEphemeral(MyelinConfig.StreamsConfig config) {
        return switch (config.kind()) {
            case IN_PROCESS -> new InProcessEphemeralStreams();
            case JETSTREAM -> {
                Connection nats = connect(config);
                NatsEphemeralStreams streams = new NatsEphemeralStreams(nats, new NatsNames(config.prefix()));
                yield new EphemeralStreams() {
                    @Override
                    public <M> void publish(dev.myelin.platform.stream.StreamDefinition<M> stream, String key, M message) {
                        streams.publish(stream, key, message);
                    }

                    @Override
                    public <M> Registration listen(dev.myelin.platform.stream.StreamDefinition<M> stream, Listener<M> listener) {
                        return streams.listen(stream, listener);
                    }

                    @Override
                    public void close() {
                        closeWithConnection(streams, nats);
                    }
                };
            }
        };
    }

    /** Closes a NATS stream layer, then its connection. why: the layers do not own the connection they were given. */
    private static void closeWithConnection(AutoCloseable streams, Connection nats) {
        try {
            streams.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            try {
                nats.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Connection connect(MyelinConfig.StreamsConfig config) {
        try {
            return Nats.connect(config.natsUrl());
        } catch (IOException e) {
            throw new IllegalStateException("cannot connect to NATS at " + config.natsUrl() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to NATS", e);
        }
    }

    static DurableStreams open(MyelinConfig.StreamsConfig config) {
        return switch (config.kind()) {
            case IN_PROCESS -> new InProcessStreams();
            case JETSTREAM -> {
                Connection nats = connect(config);
                JetStreamStreams streams = new JetStreamStreams(nats, JetStreamStreams.Settings.defaults(config.prefix()));
                yield new DurableStreams() {
                    @Override
                    public <M> dev.myelin.platform.stream.StreamProducer<M> producer(
                            dev.myelin.platform.stream.StreamDefinition<M> stream, dev.myelin.platform.db.Database db) {
                        return streams.producer(stream, db);
                    }

                    @Override
                    public <M> dev.myelin.platform.stream.Subscription subscribe(dev.myelin.platform.stream.StreamDefinition<M> stream,
                            String consumer, dev.myelin.platform.db.Database db, dev.myelin.platform.stream.StreamHandler<M> handler) {
                        return streams.subscribe(stream, consumer, db, handler);
                    }

                    @Override
                    public void declareConsumer(dev.myelin.platform.stream.StreamDefinition<?> stream, String consumer) {
                        streams.declareConsumer(stream, consumer);
                    }

                    @Override
                    public void close() {
                        closeWithConnection(streams, nats);
                    }
                };
            }
        };
    }
}
