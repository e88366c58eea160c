package dev.myelin.platform.stream;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable streams of the embedded shape: consumers read the producer's outbox table directly, are woken in
 * process when an append commits, keep a cursor in the producer's database and their applied position in their
 * own; outbox rows are pruned once every registered consumer's cursor has passed them.
 */
public final class InProcessStreams implements DurableStreams {

    private static final Logger LOG = LoggerFactory.getLogger(InProcessStreams.class);
    private static final int BATCH = 256;
    /**
     * At most this many messages go to a handler at once. why: the first message of a batch waits for the whole
     * batch's transaction, so a bound keeps that delay short under load while most of the per-commit cost is shared.
     */
    private static final int HANDLE_AT_ONCE = 32;
    /** How far a cursor may run ahead of its persisted copy before it is written (and the outbox pruned). */
    private static final int CURSOR_EVERY = 256;
    private static final Duration CURSOR_MAX_DELAY = Duration.ofSeconds(1);

    /** Where a stream lives and who to wake when it grows. */
    private record Registered(Database db, StreamCodec<?> codec, List<Wakeup> listeners, Runnable wakeAll,
                              Recent recent) {
        Registered(Database db, StreamCodec<?> codec, List<Wakeup> listeners) {
            this(db, codec, listeners, () -> listeners.forEach(Wakeup::fire), new Recent());
        }
    }

    /** One outbox message as a consumer gets it: decoded already when it came from {@link Recent}. */
    private record Item(long position, String key, byte[] payload, Object decoded) {
        Item(Outbox.Row row) {
            this(row.position(), row.key(), row.payload(), null);
        }
    }

    /**
     * The messages this process committed to a stream lately, by position, as the producer appended them.
     * why: every consumer in the process would otherwise read each message back from the producer's database and
     * decode it again (five consumers of the room stream); an entry is added only after its transaction committed
     * (and dropped with a rolled-back savepoint), so what is here is exactly what the outbox row holds.
     */
    private static final class Recent {
        private static final int SIZE = 512;
        private final long[] positions = new long[SIZE];
        private final String[] keys = new String[SIZE];
        private final Object[] messages = new Object[SIZE];

        synchronized void put(long position, String key, Object message) {
            int i = (int) (position % SIZE);
            positions[i] = position;
            keys[i] = key;
            messages[i] = message;
        }

        /** The messages from {@code first} on while they follow each other, at most {@code max}. */
        synchronized List<Item> from(long first, int max) {
            List<Item> out = new ArrayList<>();
            for (long p = first; out.size() < max; p++) {
                int i = (int) (p % SIZE);
                if (positions[i] != p) {
                    break;
                }
                out.add(new Item(p, keys[i], null, messages[i]));
            }
            return out;
        }
    }

    private final Map<String, Registered> streams = new ConcurrentHashMap<>();
    private final List<Loop<?>> loops = new CopyOnWriteArrayList<>();
    private final Duration fallbackPoll;
    private volatile boolean closed;

    /** {@code fallbackPoll}: how often an idle consumer re-reads the outbox without having been woken. */
    public InProcessStreams(Duration fallbackPoll) {
        this.fallbackPoll = Objects.requireNonNull(fallbackPoll);
    }

    public InProcessStreams() {
        this(Duration.ofSeconds(1));
    }

    @Override
    public <M> StreamProducer<M> producer(StreamDefinition<M> stream, Database producerDb) {
        Registered reg = register(stream, producerDb);
        producerDb.write(tx -> {
            Outbox.ensureHead(tx, stream.name());
            return null;
        });
        Dialect dialect = producerDb.dialect();
        return new StreamProducer<>() {
            @Override
            public long append(Connection tx, String key, M message) throws SQLException {
                long position = Outbox.append(tx, dialect, stream.name(), key, stream.codec().encode(message));
                // why: after the commit, so that the woken consumers find the message (and the row) at once
                Database.afterCommit(tx, () -> reg.recent().put(position, key, message));
                Database.afterCommit(tx, reg.wakeAll());
                return position;
            }

            @Override
            public StreamDefinition<M> stream() {
                return stream;
            }
        };
    }

    private Registered register(StreamDefinition<?> stream, Database producerDb) {
        Registered reg = streams.computeIfAbsent(stream.name(),
                n -> new Registered(producerDb, stream.codec(), new CopyOnWriteArrayList<>()));
        if (reg.db() != producerDb) {
            throw new IllegalStateException("stream " + stream.name() + " already has a producer database");
        }
        return reg;
    }

    /**
     * Registers where {@code stream} lives without producing to it: for a consumer in a process (or a test) that
     * reads a stream whose producer runs elsewhere against the same database.
     */
    public void declare(StreamDefinition<?> stream, Database producerDb) {
        register(stream, producerDb);
    }

    @Override
    public void declareConsumer(StreamDefinition<?> stream, String consumer) {
        registered(stream).db().write(tx -> {
            Outbox.registerCursor(tx, stream.name(), consumer);
            return null;
        });
    }

    private Registered registered(StreamDefinition<?> stream) {
        Registered reg = streams.get(stream.name());
        if (reg == null) {
            throw new IllegalStateException("no producer registered for stream " + stream.name()
                    + " (create the producer, or declare the stream, before subscribing)");
        }
        return reg;
    }

    @Override
    public <M> Subscription subscribe(StreamDefinition<M> stream, String consumer, Database consumerDb,
                                      StreamHandler<M> handler) {
        if (closed) {
            throw new IllegalStateException("streams are closed");
        }
        Registered reg = registered(stream);
        for (Loop<?> running : loops) {
            if (running.stream.name().equals(stream.name()) && running.consumer.equals(consumer)) {
                // why: two loops of one durable consumer in one process would deliver every message twice.
                throw new IllegalStateException(
                        "consumer " + consumer + " of " + stream.name() + " is already running");
            }
        }
        declareConsumer(stream, consumer);
        Loop<M> loop = new Loop<>(stream, consumer, reg, consumerDb, handler);
        loops.add(loop);
        reg.listeners().add(loop.wakeup);
        loop.thread = Thread.ofVirtual().name("stream-" + stream.name() + "-" + consumer).start(loop::run);
        return loop;
    }

    @Override
    public void close() {
        closed = true;
        for (Loop<?> loop : loops) {
            loop.close();
        }
    }

    /** One durable consumer: reads the outbox in order, one message in flight. */
    private final class Loop<M> implements Subscription {
        private final StreamDefinition<M> stream;
        private final String consumer;
        private final Registered reg;
        private final Database consumerDb;
        private final StreamHandler<M> handler;
        /** Whether this consumer decodes messages as the producer encodes them, so it may take them from Recent. */
        private final boolean sameMessages;
        final Wakeup wakeup = new Wakeup();
        volatile Thread thread;
        private volatile boolean running = true;
        private volatile long handled;
        private long persisted;
        private long persistedAtNanos = System.nanoTime();

        Loop(StreamDefinition<M> stream, String consumer, Registered reg, Database consumerDb,
             StreamHandler<M> handler) {
            this.stream = stream;
            this.consumer = consumer;
            this.reg = reg;
            this.consumerDb = consumerDb;
            this.handler = handler;
            this.sameMessages = reg.codec().equals(stream.codec());
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
            long head = reg.db().read(c -> Outbox.head(c, stream.name()));
            return Math.max(0, head - handled);
        }

        void run() {
            String name = stream.name();
            Database producerDb = reg.db();
            long applied = 0;
            boolean started = false;
            while (running) {
                try {
                    if (!started) {
                        persisted = producerDb.read(c -> Outbox.cursor(c, name, consumer));
                        applied = consumerDb.read(c -> AppliedPositions.read(c, name, consumer));
                        handled = Math.max(persisted, applied);
                        started = true;
                    }
                    long after = handled;
                    List<Item> rows = sameMessages ? reg.recent().from(after + 1, BATCH) : List.of();
                    if (rows.isEmpty()) {
                        rows = producerDb.read(c -> Outbox.read(c, name, after, BATCH)).stream().map(Item::new)
                                .toList();
                    }
                    if (rows.isEmpty()) {
                        // why: under load a consumer catches up after every few messages; writing its cursor (a
                        // transaction on the producer's database, SQLite's one writer) each time queued the producer
                        // behind it. Caught up, it writes when due; idle for a whole poll, it writes what is left.
                        persistCursor(false);
                        if (!wakeup.await(fallbackPoll)) {
                            persistCursor(true);
                        }
                        continue;
                    }
                    int i = 0;
                    while (i < rows.size() && running) {
                        if (rows.get(i).position() <= applied) {
                            handled = rows.get(i++).position();
                            continue;
                        }
                        // why: rows are in position order, so everything after a new row is new as well
                        int end = Math.min(rows.size(), i + HANDLE_AT_ONCE);
                        applied = deliverAll(rows.subList(i, end), applied);
                        i = end;
                    }
                    persistCursor(false);
                } catch (RuntimeException e) {
                    if (running) {
                        LOG.warn("stream {} consumer {}: reading the outbox failed, retrying", name, consumer, e);
                        wakeup.await(Duration.ofSeconds(1));
                    }
                }
            }
        }

        /**
         * Hands consecutive new rows to the handler at once and advances {@code handled}; if that fails, hands the
         * ones not applied yet one at a time ({@link #deliver}). Returns the applied position.
         */
        private long deliverAll(List<Item> rows, long applied) {
            if (rows.size() > 1) {
                try {
                    List<Delivery<M>> deliveries = new ArrayList<>(rows.size());
                    for (Item row : rows) {
                        deliveries.add(new DeliveredMessage<>(stream.name(), consumer, row.position(), row.key(),
                                message(row)));
                    }
                    handler.handleAll(deliveries);
                    handled = rows.getLast().position();
                    return applied;
                } catch (Exception e) {
                    LOG.debug("stream {} consumer {}: handling positions {}-{} at once failed, one at a time now",
                            stream.name(), consumer, rows.getFirst().position(), rows.getLast().position(), e);
                    // why: the handler may have committed part of the batch before throwing.
                    long now = consumerDb.read(c -> AppliedPositions.read(c, stream.name(), consumer));
                    applied = Math.max(applied, now);
                }
            }
            for (Item row : rows) {
                if (row.position() > applied) {
                    applied = deliver(row, applied);
                }
                if (!running) {
                    break;
                }
                handled = row.position();
            }
            return applied;
        }

        @SuppressWarnings("unchecked") // why: taken from Recent only when producer and consumer share the codec
        private M message(Item row) {
            return row.decoded() != null ? (M) row.decoded() : stream.codec().decode(row.payload());
        }

        /** Hands one row to the handler until it succeeds (or the loop stops); returns the applied position. */
        private long deliver(Item row, long applied) {
            Duration backoff = Duration.ofMillis(50);
            while (running) {
                try {
                    M message = message(row);
                    handler.handle(new DeliveredMessage<>(stream.name(), consumer, row.position(), row.key(),
                            message));
                    return applied;
                } catch (Exception e) {
                    LOG.warn("stream {} consumer {}: handler failed at position {}, will retry", stream.name(),
                            consumer, row.position(), e);
                    wakeup.await(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0
                            ? Duration.ofSeconds(5) : backoff.multipliedBy(2);
                    // why: the handler may have committed its transaction before throwing.
                    long now = consumerDb.read(c -> AppliedPositions.read(c, stream.name(), consumer));
                    if (now >= row.position()) {
                        return now;
                    }
                }
            }
            return applied;
        }

        /** Writes the cursor to the producer's database (and prunes) when it is far or long enough behind. */
        private void persistCursor(boolean idle) {
            long position = handled;
            if (position <= persisted) {
                return;
            }
            boolean due = idle || position - persisted >= CURSOR_EVERY
                    || System.nanoTime() - persistedAtNanos > CURSOR_MAX_DELAY.toNanos();
            if (!due) {
                return;
            }
            reg.db().write(tx -> {
                Outbox.advanceCursorAndPrune(tx, reg.db().dialect(), stream.name(), consumer, position);
                return null;
            });
            persisted = position;
            persistedAtNanos = System.nanoTime();
        }

        @Override
        public void close() {
            running = false;
            reg.listeners().remove(wakeup);
            wakeup.fire();
            Thread t = thread;
            if (t != null && t != Thread.currentThread()) {
                try {
                    // why: no interrupt — it would break a JDBC connection in use; the loop checks `running`.
                    if (!t.join(Duration.ofSeconds(10))) {
                        LOG.warn("stream {} consumer {} did not stop within 10s", stream.name(), consumer);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (t != null) {
                try {
                    persistCursor(true);
                } catch (RuntimeException e) {
                    LOG.debug("stream {} consumer {}: cursor not saved on close", stream.name(), consumer, e);
                }
            }
            loops.remove(this);
        }
    }
}
