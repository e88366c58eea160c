package dev.myelin.platform.stream;

import dev.myelin.platform.db.Database;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;

/**
 * One shape under test for the stream contract: how to get fresh databases (with the stream tables), how to
 * start the stream layer of a "process", and how a child JVM reopens both (its spec strings).
 */
abstract class StreamsFixture implements AutoCloseable {

    /** A fresh, empty database with the stream tables. */
    abstract Database newDatabase();

    /** How a child process reopens {@code db}. */
    abstract String spec(Database db);

    /** How a child process starts the same stream layer: {@code inprocess} or {@code jetstream:<prefix>}. */
    abstract String streamsSpec();

    final DurableStreams newStreams() {
        return openStreams(streamsSpec(), Duration.ofSeconds(10));
    }

    boolean inProcess() {
        return streamsSpec().equals("inprocess");
    }

    /**
     * Starts a stream layer. {@code fallbackPoll}: long in the parent (so the tests prove the wake-up), short in
     * child processes (whose producer is another process, which cannot wake them).
     */
    static DurableStreams openStreams(String spec, Duration fallbackPoll) {
        if (spec.equals("inprocess")) {
            return new InProcessStreams(fallbackPoll);
        }
        if (spec.startsWith("jetstream:")) {
            io.nats.client.Connection nats = connectNats();
            JetStreamStreams.Settings settings = new JetStreamStreams.Settings(
                    new NatsNames(spec.substring("jetstream:".length())), Duration.ofSeconds(1),
                    Duration.ofMinutes(2), fallbackPoll, 1);
            JetStreamStreams streams = new JetStreamStreams(nats, settings);
            // why: each "process" owns its NATS connection, as a real one would.
            return new DurableStreams() {
                @Override
                public <M> StreamProducer<M> producer(StreamDefinition<M> stream, Database producerDb) {
                    return streams.producer(stream, producerDb);
                }

                @Override
                public <M> Subscription subscribe(StreamDefinition<M> stream, String consumer, Database consumerDb,
                                                  StreamHandler<M> handler) {
                    return streams.subscribe(stream, consumer, consumerDb, handler);
                }

                @Override
                public void declareConsumer(StreamDefinition<?> stream, String consumer) {
                    streams.declareConsumer(stream, consumer);
                }

                @Override
                public void close() {
                    streams.close();
                    try {
                        nats.close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
        }
        throw new IllegalArgumentException(spec);
    }

    static final String NATS_URL = "nats://127.0.0.1:4222";

    static io.nats.client.Connection connectNats() {
        try {
            return Nats.connect(new Options.Builder().server(NATS_URL).connectionTimeout(Duration.ofSeconds(2))
                    .maxReconnects(-1).errorListener(new io.nats.client.ErrorListener() { }).build());
        } catch (IOException e) {
            throw new StreamException("NATS is not reachable at " + NATS_URL, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamException("interrupted", e);
        }
    }
}
