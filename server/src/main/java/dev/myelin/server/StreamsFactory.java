package dev.myelin.server;

import dev.myelin.platform.config.MyelinConfig;
import dev.myelin.platform.stream.DurableStreams;
import dev.myelin.platform.stream.InProcessStreams;
import dev.myelin.platform.stream.JetStreamStreams;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.io.IOException;

/** Opens the durable stream layer the configuration asks for: in process (embedded) or NATS JetStream (distributed). */
final class StreamsFactory {
    private StreamsFactory() {}

    static DurableStreams open(MyelinConfig.StreamsConfig config) {
        return switch (config.kind()) {
            case IN_PROCESS -> new InProcessStreams();
            case JETSTREAM -> {
                Connection nats;
                try {
                    nats = Nats.connect(config.natsUrl());
                } catch (IOException e) {
                    throw new IllegalStateException("cannot connect to NATS at " + config.natsUrl() + ": " + e.getMessage(), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while connecting to NATS", e);
                }
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
                        // why: the JetStream layer does not own the connection it was given
                        try {
                            streams.close();
                        } finally {
                            try {
                                nats.close();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                };
            }
        };
    }
}
