package dev.myelin.platform.stream;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.Dialect;
import io.nats.client.ConsumerContext;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable streams of the distributed shape. Producers append to the transactional outbox of their database; a
 * relay per stream publishes outbox rows to a JetStream stream (interest retention) with the position as message
 * id, so JetStream drops what a relay publishes twice, and deletes the rows JetStream acknowledged as stored.
 * Consumers are durable pull consumers with explicit ack and one message in flight (order per stream).
 */
public final class JetStreamStreams implements DurableStreams {

    private static final Logger LOG = LoggerFactory.getLogger(JetStreamStreams.class);
    static final String POSITION_HEADER = "Myelin-Position";
    static final String KEY_HEADER = "Myelin-Key";
    private static final int RELAY_BATCH = 256;

    /**
     * Settings of one deployment. {@code ackWait}: how long JetStream waits for a consumer's ack before it
     * redelivers (the recovery time after a consumer process dies); {@code duplicateWindow}: how long JetStream
     * remembers message ids; {@code relayPoll}: how often an idle relay looks at the outbox without being woken;
     * {@code replicas}: copies of each JetStream stream in a NATS cluster (1 on a single server, 3 in production).
     */
    public record Settings(NatsNames names, Duration ackWait, Duration duplicateWindow, Duration relayPoll,
                           int replicas) {
        public Settings {
            Objects.requireNonNull(names);
            Objects.requireNonNull(ackWait);
            Objects.requireNonNull(duplicateWindow);
            Objects.requireNonNull(relayPoll);
            if (replicas < 1 || replicas > 5) {
                throw new IllegalArgumentException("replicas must be 1 to 5, got " + replicas);
            }
        }

        public static Settings defaults(String prefix) {
            return new Settings(new NatsNames(prefix), Duration.ofSeconds(30), Duration.ofMinutes(2),
                    Duration.ofSeconds(1), 1);
        }
    }

    private final io.nats.client.Connection nats;
    private final Settings settings;
    private final JetStreamManagement jsm;
    private final JetStream js;
    private final Map<String, Boolean> ensured = new ConcurrentHashMap<>();
    private final List<AutoCloseable> running = new CopyOnWriteArrayList<>();

    /** {@code nats}: a connection this object uses but does not close. */
    public JetStreamStreams(io.nats.client.Connection nats, Settings settings) {
        this.nats = Objects.requireNonNull(nats);
        this.settings = Objects.requireNonNull(settings);
        try {
            this.jsm = nats.jetStreamManagement();
            this.js = nats.jetStream();
        } catch (IOException e) {
            throw new StreamException("JetStream is not available on this NATS connection", e);
        }
    }

    /** Creates the JetStream stream of {@code stream} if this deployment does not have it yet. */
    private void ensureStream(StreamDefinition<?> stream) {
        ensured.computeIfAbsent(stream.name(), n -> {
            StreamConfiguration config = StreamConfiguration.builder()
                    .name(settings.names().jetStreamName(stream))
                    .subjects(settings.names().durableSubject(stream))
                    .retentionPolicy(RetentionPolicy.Interest)
                    .storageType(StorageType.File)
                    .duplicateWindow(settings.duplicateWindow())
                    .replicas(settings.replicas())
                    .build();
            try {
                jsm.addStream(config);
            } catch (JetStreamApiException e) {
                // why: another process may have created it first, with the same configuration.
                try {
                    jsm.getStreamInfo(config.getName());
                } catch (IOException | JetStreamApiException again) {
                    throw new StreamException("cannot create JetStream stream " + config.getName(), e);
                }
            } catch (IOException e) {
                throw new StreamException("cannot create JetStream stream " + config.getName(), e);
            }
            return Boolean.TRUE;
        });
    }

    @Override
    public <M> StreamProducer<M> producer(StreamDefinition<M> stream, Database producerDb) {
        ensureStream(stream);
        Relay relay = new Relay(stream, producerDb);
        producerDb.write(tx -> {
            Outbox.ensureHead(tx, stream.name());
            return null;
        });
        Dialect dialect = producerDb.dialect();
        running.add(relay);
        relay.thread = Thread.ofVirtual().name("relay-" + stream.name()).start(relay::run);
        return new StreamProducer<>() {
            @Override
            public long append(Connection tx, String key, M message) throws SQLException {
                long position = Outbox.append(tx, dialect, stream.name(), key, stream.codec().encode(message));
                // why: after the commit, so the relay reads the row at once instead of waiting for the commit
                Database.afterCommit(tx, relay.wake);
                return position;
            }

            @Override
            public StreamDefinition<M> stream() {
                return stream;
            }
        };
    }

    /** Publishes one stream's outbox to JetStream, oldest first, and deletes what JetStream stored. */
    private final class Relay implements AutoCloseable {
        private final StreamDefinition<?> stream;
        private final Database db;
        final Wakeup wakeup = new Wakeup();
        final Runnable wake = wakeup::fire;
        volatile Thread thread;
        private volatile boolean open = true;

        Relay(StreamDefinition<?> stream, Database db) {
            this.stream = stream;
            this.db = db;
        }

        void run() {
            String name = stream.name();
            while (open) {
                try {
                    List<Outbox.Row> rows = db.read(c -> Outbox.read(c, name, 0, RELAY_BATCH));
                    if (rows.isEmpty()) {
                        wakeup.await(settings.relayPoll());
                        continue;
                    }
                    long stored = publish(rows);
                    if (stored > 0) {
                        db.write(tx -> Outbox.deleteUpTo(tx, name, stored));
                    } else if (open) {
                        // why: JetStream stored nothing (down, or electing a leader): wait instead of spinning.
                        Wakeup.sleep(Duration.ofSeconds(1));
                    }
                } catch (RuntimeException e) {
                    if (open) {
                        LOG.warn("stream {}: relaying the outbox to JetStream failed, retrying", name, e);
                        wakeup.await(Duration.ofSeconds(1));
                    }
                }
            }
        }

        /**
         * Publishes {@code rows} one after the other and returns the last position JetStream acknowledged as
         * stored, 0 if none. why: one at a time, each after the previous one's ack, so that JetStream stores a
         * stream's messages in position order even when a publish fails mid-way or several relays (processes)
         * publish the same outbox; pipelining could store n+1 before a failed n. Duplicates (a retry, another
         * relay) are dropped by JetStream's de-duplication on the message id.
         */
        private long publish(List<Outbox.Row> rows) {
            String subject = settings.names().durableSubject(stream);
            String jsName = settings.names().jetStreamName(stream);
            long stored = 0;
            for (Outbox.Row row : rows) {
                if (!open) {
                    break;
                }
                Headers headers = new Headers()
                        .put(POSITION_HEADER, Long.toString(row.position()))
                        .put(KEY_HEADER, URLEncoder.encode(row.key(), StandardCharsets.UTF_8));
                PublishOptions options = PublishOptions.builder()
                        .messageId(Long.toString(row.position()))
                        .expectedStream(jsName)
                        .build();
                try {
                    js.publish(subject, headers, row.payload(), options);
                    stored = row.position();
                } catch (IOException | JetStreamApiException e) {
                    LOG.warn("stream {}: JetStream did not store position {}", stream.name(), row.position(), e);
                    break;
                }
            }
            return stored;
        }

        @Override
        public void close() {
            open = false;
            wakeup.fire();
            join(thread);
        }
    }

    private ConsumerConfiguration consumerConfig(StreamDefinition<?> stream, String consumer) {
        return ConsumerConfiguration.builder()
                .durable(consumer)
                .ackPolicy(AckPolicy.Explicit)
                .deliverPolicy(DeliverPolicy.All)
                // why: one message in flight keeps redeliveries in order; throughput costs one round trip each.
                .maxAckPending(1)
                .ackWait(settings.ackWait())
                .filterSubject(settings.names().durableSubject(stream))
                .build();
    }

    @Override
    public void declareConsumer(StreamDefinition<?> stream, String consumer) {
        ensureStream(stream);
        try {
            jsm.addOrUpdateConsumer(settings.names().jetStreamName(stream), consumerConfig(stream, consumer));
        } catch (IOException | JetStreamApiException e) {
            throw new StreamException("cannot create JetStream consumer " + consumer + " of " + stream.name(), e);
        }
    }

    @Override
    public <M> Subscription subscribe(StreamDefinition<M> stream, String consumer, Database consumerDb,
                                      StreamHandler<M> handler) {
        ensureStream(stream);
        ConsumerContext context;
        try {
            context = nats.getStreamContext(settings.names().jetStreamName(stream))
                    .createOrUpdateConsumer(consumerConfig(stream, consumer));
        } catch (IOException | JetStreamApiException e) {
            throw new StreamException("cannot create JetStream consumer " + consumer + " of " + stream.name(), e);
        }
        Pull<M> pull = new Pull<>(stream, consumer, consumerDb, handler, context);
        running.add(pull);
        pull.thread = Thread.ofVirtual().name("stream-" + stream.name() + "-" + consumer).start(pull::run);
        return pull;
    }

    /** One durable pull consumer. */
    private final class Pull<M> implements Subscription {
        private final StreamDefinition<M> stream;
        private final String consumer;
        private final Database consumerDb;
        private final StreamHandler<M> handler;
        private final ConsumerContext context;
        volatile Thread thread;
        private volatile boolean open = true;
        private volatile long handled;

        Pull(StreamDefinition<M> stream, String consumer, Database consumerDb, StreamHandler<M> handler,
             ConsumerContext context) {
            this.stream = stream;
            this.consumer = consumer;
            this.consumerDb = consumerDb;
            this.handler = handler;
            this.context = context;
        }

        @Override
        public String consumer() {
            return consumer;
        }

        @Override
        public long handledPosition() {
            return handled;
        }

        @Override
        public long lag() {
            try {
                ConsumerInfo info = context.getConsumerInfo();
                return info.getNumPending() + info.getNumAckPending();
            } catch (IOException | JetStreamApiException e) {
                throw new StreamException("cannot read consumer " + consumer + " of " + stream.name(), e);
            }
        }

        void run() {
            long applied = -1;
            // why: one long-lived pull subscription, not a pull request per message: a message JetStream sends
            // just after a one-shot next() gave up (a busy machine) is dropped by the client, and with one message
            // in flight the consumer then stalls until ackWait redelivers it (30 s seen under load)
            IterableConsumer messages = null;
            try {
                while (open) {
                    try {
                        if (applied < 0) {
                            applied = consumerDb.read(c -> AppliedPositions.read(c, stream.name(), consumer));
                        }
                        if (messages == null) {
                            messages = context.iterate();
                        }
                        Message m = messages.nextMessage(Duration.ofSeconds(1));
                        if (m == null || !open) {
                            if (m != null) {
                                m.nak();
                            }
                            continue;
                        }
                        applied = handle(m, applied);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception e) {
                        if (open) {
                            LOG.warn("stream {} consumer {}: pulling from JetStream failed, retrying", stream.name(),
                                    consumer, e);
                            release(messages);
                            messages = null;
                            Wakeup.sleep(Duration.ofSeconds(1));
                        }
                    }
                }
            } finally {
                release(messages);
            }
        }

        private static void release(IterableConsumer messages) {
            if (messages == null) {
                return;
            }
            try {
                // why: a message already pulled into the client's buffer would otherwise stay unacknowledged
                // until ackWait, stalling this consumer's next start (one message in flight)
                messages.stop();
                for (Message m = messages.nextMessage(Duration.ofMillis(50)); m != null;
                        m = messages.nextMessage(Duration.ofMillis(50))) {
                    m.nak();
                }
                messages.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.debug("closing a JetStream pull subscription: {}", e.toString());
            }
        }

        private long handle(Message m, long applied) {
            long position;
            String key;
            try {
                position = Long.parseLong(m.getHeaders().getFirst(POSITION_HEADER));
                key = URLDecoder.decode(m.getHeaders().getFirst(KEY_HEADER), StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                // why: not one of ours (someone published on our subject by hand); acknowledged so it cannot block.
                LOG.error("stream {} consumer {}: dropping a message without Myelin headers", stream.name(),
                        consumer, e);
                m.ack();
                return applied;
            }
            if (position <= applied) {
                // why: a republish after the de-duplication window, or a redelivery of an applied message.
                m.ack();
                handled = Math.max(handled, position);
                return applied;
            }
            Thread heartbeat = Thread.ofVirtual().start(() -> {
                // why: a handler slower than ackWait would otherwise get its message redelivered meanwhile.
                Duration every = settings.ackWait().dividedBy(3);
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        Thread.sleep(every);
                    } catch (InterruptedException e) {
                        return;
                    }
                    m.inProgress();
                }
            });
            try {
                handler.handle(new DeliveredMessage<>(stream.name(), consumer, position, key,
                        stream.codec().decode(m.getData())));
                m.ack();
                handled = position;
                return applied;
            } catch (Exception e) {
                long delivered = m.metaData().deliveredCount();
                long delayMs = Math.min(5000, 50L << Math.min(7, Math.max(0, delivered - 1)));
                LOG.warn("stream {} consumer {}: handler failed at position {} (delivery {}), will retry",
                        stream.name(), consumer, position, delivered, e);
                m.nakWithDelay(Duration.ofMillis(delayMs));
                // why: the handler may have committed its transaction before throwing.
                return consumerDb.read(c -> AppliedPositions.read(c, stream.name(), consumer));
            } finally {
                heartbeat.interrupt();
            }
        }

        @Override
        public void close() {
            open = false;
            join(thread);
            running.remove(this);
        }
    }

    private static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            if (!t.join(Duration.ofSeconds(10))) {
                LOG.warn("{} did not stop within 10s", t.getName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Deletes every JetStream stream of this deployment's prefix (and so their consumers). For tests and for
     * tearing a deployment down; never called by the server itself.
     */
    public void deleteAllStreams() {
        try {
            String start = settings.names().prefix() + "_";
            for (String name : jsm.getStreamNames()) {
                if (name.startsWith(start)) {
                    jsm.deleteStream(name);
                }
            }
            ensured.clear();
        } catch (IOException | JetStreamApiException e) {
            throw new StreamException("cannot delete the JetStream streams of " + settings.names().prefix(), e);
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : running) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing a stream loop failed", e);
            }
        }
        running.clear();
    }
}
