package dev.myelin.platform.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every durable stream shape must have (section 3 of the architecture): at-least-once delivery in
 * order, nothing from a rolled-back transaction, redelivery after a failed handler, and — across kill -9 of a
 * producer or a consumer process — no lost and no double-applied message.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DurableStreamsContract {

    private static final AtomicInteger STREAMS = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(20);

    protected StreamsFixture f;
    @TempDir
    Path tmp;

    /** The shape under test; may skip (Assumptions) when its service is unreachable. */
    protected abstract StreamsFixture createFixture() throws Exception;

    @BeforeAll
    void startFixture() throws Exception {
        f = createFixture();
    }

    @AfterAll
    void closeFixture() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    protected static StreamDefinition<Note> freshStream() {
        return Note.stream("notes" + STREAMS.incrementAndGet() + "_" + ProcessHandle.current().pid());
    }

    protected static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** What one consumer saw, in order. */
    protected record Seen(long position, String key, long id) {
    }

    @Test
    void deliversEveryMessageInOrderOfPositionAndSoPerKey() throws Exception {
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        TestApp.createTables(pdb, cdb);
        StreamDefinition<Note> stream = freshStream();
        List<Seen> seen = new CopyOnWriteArrayList<>();
        try (DurableStreams streams = f.newStreams()) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            streams.subscribe(stream, "sync", cdb, d -> seen.add(new Seen(d.position(), d.key(), d.message().id())));
            for (long id = 1; id <= 60; id++) {
                TestApp.produce(pdb, producer, id);
            }
            // several messages in one transaction keep their order too
            pdb.write(tx -> {
                for (long id = 61; id <= 80; id++) {
                    producer.append(tx, TestApp.keyOf(id), new Note(id, TestApp.keyOf(id)));
                }
                return null;
            });
            await("80 messages", () -> seen.size() >= 80);
        }
        List<Long> oneTo80 = LongStream.rangeClosed(1, 80).boxed().toList();
        assertThat(seen).extracting(Seen::position).containsExactlyElementsOf(oneTo80);
        assertThat(seen).extracting(Seen::id).containsExactlyElementsOf(oneTo80);
        Map<String, List<Long>> perKey = new ConcurrentHashMap<>();
        seen.forEach(s -> perKey.computeIfAbsent(s.key(), k -> new ArrayList<>()).add(s.id()));
        assertThat(perKey).hasSize(3);
        perKey.values().forEach(ids -> assertThat(ids).isSorted());
        assertThat(seen).allSatisfy(s -> assertThat(s.key()).isEqualTo(TestApp.keyOf(s.id())));
    }

    @Test
    void wakesConsumersOnCommitWithoutWaitingForThePoll() throws Exception {
        // why: the fallback poll of f.newStreams() is 10 s; each message must arrive well before that.
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        TestApp.createTables(pdb, cdb);
        StreamDefinition<Note> stream = freshStream();
        List<Long> seen = new CopyOnWriteArrayList<>();
        try (DurableStreams streams = f.newStreams()) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            streams.subscribe(stream, "sync", cdb, d -> seen.add(d.message().id()));
            Thread.sleep(300); // let the consumer go idle
            for (long id = 1; id <= 3; id++) {
                long start = System.nanoTime();
                TestApp.produce(pdb, producer, id);
                long expect = id;
                await("message " + id, () -> seen.size() >= expect);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
                Thread.sleep(200);
            }
        }
    }

    @Test
    void messageOfRolledBackTransactionIsNeverDeliveredAndPositionsStayGapFree() throws Exception {
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        TestApp.createTables(pdb, cdb);
        StreamDefinition<Note> stream = freshStream();
        List<Seen> seen = new CopyOnWriteArrayList<>();
        try (DurableStreams streams = f.newStreams()) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            streams.subscribe(stream, "sync", cdb, d -> seen.add(new Seen(d.position(), d.key(), d.message().id())));
            try {
                pdb.write(tx -> {
                    producer.append(tx, "k", new Note(1, "k"));
                    throw new IllegalStateException("the change failed");
                });
            } catch (IllegalStateException expected) {
                // rolled back
            }
            TestApp.produce(pdb, producer, 2);
            await("the committed message", () -> !seen.isEmpty());
            Thread.sleep(300);
        }
        assertThat(seen).containsExactly(new Seen(1, TestApp.keyOf(2), 2));
        assertThat(TestApp.ids(pdb, "SELECT id FROM produced")).containsExactly(2L);
    }

    @Test
    void handlerThatThrowsGetsTheSameMessageAgainBeforeAnyLaterOne() throws Exception {
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        TestApp.createTables(pdb, cdb);
        StreamDefinition<Note> stream = freshStream();
        List<Long> attempts = new CopyOnWriteArrayList<>();
        AtomicInteger failuresLeft = new AtomicInteger(2);
        StreamHandler<Note> apply = TestApp.applier(cdb, Duration.ZERO, p -> { });
        try (DurableStreams streams = f.newStreams()) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            streams.subscribe(stream, "sync", cdb, d -> {
                attempts.add(d.message().id());
                if (d.message().id() == 3 && failuresLeft.getAndDecrement() > 0) {
                    throw new IllegalStateException("consumer crashed before recording position " + d.position());
                }
                apply.handle(d);
            });
            for (long id = 1; id <= 5; id++) {
                TestApp.produce(pdb, producer, id);
            }
            await("5 applied", () -> TestApp.count(cdb, "SELECT COUNT(*) FROM applied") >= 5);
        }
        assertThat(attempts).containsExactly(1L, 2L, 3L, 3L, 3L, 4L, 5L);
        assertThat(TestApp.ids(cdb, "SELECT id FROM applied ORDER BY position")).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void handlerThatCommitsThenThrowsIsNotAppliedTwice() throws Exception {
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        TestApp.createTables(pdb, cdb);
        StreamDefinition<Note> stream = freshStream();
        AtomicBoolean failOnce = new AtomicBoolean(true);
        AtomicInteger deliveries = new AtomicInteger();
        StreamHandler<Note> apply = TestApp.applier(cdb, Duration.ZERO, p -> { });
        try (DurableStreams streams = f.newStreams()) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            streams.subscribe(stream, "sync", cdb, d -> {
                deliveries.incrementAndGet();
                apply.handle(d);
                if (d.message().id() == 1 && failOnce.getAndSet(false)) {
                    throw new IllegalStateException("crashed after the commit, before the ack");
                }
            });
            TestApp.produce(pdb, producer, 1);
            TestApp.produce(pdb, producer, 2);
            await("2 applied", () -> TestApp.count(cdb, "SELECT COUNT(*) FROM applied") >= 2);
            Thread.sleep(300);
        }
        assertThat(TestApp.ids(cdb, "SELECT id FROM applied ORDER BY position")).containsExactly(1L, 2L);
    }

    @Test
    void restartedConsumerResumesAfterWhatItApplied() throws Exception {
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        TestApp.createTables(pdb, cdb);
        StreamDefinition<Note> stream = freshStream();
        try (DurableStreams streams = f.newStreams()) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            streams.subscribe(stream, "sync", cdb, TestApp.applier(cdb, Duration.ZERO, p -> { }));
            for (long id = 1; id <= 10; id++) {
                TestApp.produce(pdb, producer, id);
            }
            await("10 applied", () -> TestApp.count(cdb, "SELECT COUNT(*) FROM applied") >= 10);
        }
        List<Long> seenAfterRestart = new CopyOnWriteArrayList<>();
        try (DurableStreams streams = f.newStreams()) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            StreamHandler<Note> apply = TestApp.applier(cdb, Duration.ZERO, p -> { });
            Subscription sub = streams.subscribe(stream, "sync", cdb, d -> {
                seenAfterRestart.add(d.message().id());
                apply.handle(d);
            });
            for (long id = 11; id <= 15; id++) {
                TestApp.produce(pdb, producer, id);
            }
            await("15 applied", () -> TestApp.count(cdb, "SELECT COUNT(*) FROM applied") >= 15);
            await("lag 0", () -> sub.lag() == 0);
            assertThat(sub.handledPosition()).isEqualTo(15);
        }
        assertThat(seenAfterRestart).containsExactly(11L, 12L, 13L, 14L, 15L);
        assertThat(TestApp.ids(cdb, "SELECT id FROM applied ORDER BY position"))
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 15).boxed().toList());
    }

    @Test
    void everyConsumerGetsEveryMessageAndTheOutboxEmptiesOnceAllHavePassed() throws Exception {
        Database pdb = f.newDatabase();
        Database syncDb = f.newDatabase();
        Database fedDb = f.newDatabase();
        TestApp.createTables(pdb, syncDb);
        TestApp.createTables(pdb, fedDb);
        StreamDefinition<Note> stream = freshStream();
        try (DurableStreams streams = f.newStreams()) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            streams.subscribe(stream, "sync", syncDb, TestApp.applier(syncDb, Duration.ZERO, p -> { }));
            streams.subscribe(stream, "federation", fedDb, TestApp.applier(fedDb, Duration.ZERO, p -> { }));
            for (long id = 1; id <= 20; id++) {
                TestApp.produce(pdb, producer, id);
            }
            await("both consumers", () -> TestApp.count(syncDb, "SELECT COUNT(*) FROM applied") >= 20
                    && TestApp.count(fedDb, "SELECT COUNT(*) FROM applied") >= 20);
            await("an empty outbox", () -> TestApp.outboxRows(pdb, stream.name()) == 0);
        }
        List<Long> all = LongStream.rangeClosed(1, 20).boxed().toList();
        assertThat(TestApp.ids(syncDb, "SELECT id FROM applied ORDER BY position")).containsExactlyElementsOf(all);
        assertThat(TestApp.ids(fedDb, "SELECT id FROM applied ORDER BY position")).containsExactlyElementsOf(all);
    }

    @Test
    void declaredConsumerGetsWhatWasProducedBeforeItFirstSubscribed() throws Exception {
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        TestApp.createTables(pdb, cdb);
        StreamDefinition<Note> stream = freshStream();
        try (DurableStreams streams = f.newStreams()) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            streams.declareConsumer(stream, "late");
            for (long id = 1; id <= 5; id++) {
                TestApp.produce(pdb, producer, id);
            }
            Thread.sleep(300); // the outbox is pruned or relayed meanwhile: the declared interest must hold
            streams.subscribe(stream, "late", cdb, TestApp.applier(cdb, Duration.ZERO, p -> { }));
            await("5 applied", () -> TestApp.count(cdb, "SELECT COUNT(*) FROM applied") >= 5);
        }
        assertThat(TestApp.ids(cdb, "SELECT id FROM applied ORDER BY position")).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void concurrentProducersCommitGapFreePositionsInOrder() throws Exception {
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        TestApp.createTables(pdb, cdb);
        StreamDefinition<Note> stream = freshStream();
        List<Long> positions = new CopyOnWriteArrayList<>();
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        try (DurableStreams streams = f.newStreams();
             ExecutorService pool = Executors.newFixedThreadPool(4)) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            streams.subscribe(stream, "sync", cdb, d -> {
                positions.add(d.position());
                ids.add(d.message().id());
            });
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long base = t * 1000L;
                jobs.add(pool.submit(() -> {
                    for (long i = 1; i <= 25; i++) {
                        TestApp.produce(pdb, producer, base + i);
                    }
                    return null;
                }));
            }
            for (Future<?> job : jobs) {
                job.get();
            }
            await("100 messages", () -> positions.size() >= 100);
            Thread.sleep(200);
        }
        assertThat(positions).containsExactlyElementsOf(LongStream.rangeClosed(1, 100).boxed().toList());
        assertThat(ids).hasSize(100);
    }

    @Test
    void killedConsumerProcessLosesNothingAndAppliesNothingTwice() throws Exception {
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        TestApp.createTables(pdb, cdb);
        StreamDefinition<Note> stream = freshStream();
        Path stderr = Files.createTempFile(tmp, "consumer", ".log");
        int total = 60;
        try (DurableStreams streams = f.newStreams();
             ChildJvm child = new ChildJvm(stderr, "consume", f.streamsSpec(), f.spec(pdb), f.spec(cdb),
                     stream.name(), "sync", "15")) {
            child.awaitLines("READY", 1, WAIT, stderr.toFile());
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            for (long id = 1; id <= total; id++) {
                TestApp.produce(pdb, producer, id);
            }
            child.awaitLines("A ", 15, WAIT, stderr.toFile());
            child.kill();
            long appliedByChild = TestApp.count(cdb, "SELECT COUNT(*) FROM applied");
            assertThat(appliedByChild).isBetween(15L, (long) total - 1);

            streams.subscribe(stream, "sync", cdb, TestApp.applier(cdb, Duration.ZERO, p -> { }));
            await("all applied", () -> TestApp.count(cdb, "SELECT COUNT(*) FROM applied") >= total);
            Thread.sleep(300);
        }
        assertExactlyOnce(cdb, LongStream.rangeClosed(1, total).boxed().toList());
    }

    @Test
    void killedProducerProcessLosesNothingCommittedAndAppliesNothingTwice() throws Exception {
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        TestApp.createTables(pdb, cdb);
        StreamDefinition<Note> stream = freshStream();
        Path stderr = Files.createTempFile(tmp, "producer", ".log");
        try (DurableStreams streams = f.newStreams()) {
            ChildJvm child;
            if (f.inProcess()) {
                // embedded shape: producer and consumer live in the killed process
                child = new ChildJvm(stderr, "produce", f.streamsSpec(), f.spec(pdb), f.spec(cdb), stream.name(),
                        "sync", "2");
            } else {
                // distributed shape: the consumer is another process (here: this one), subscribed first
                streams.subscribe(stream, "sync", cdb, TestApp.applier(cdb, Duration.ZERO, p -> { }));
                child = new ChildJvm(stderr, "produce", f.streamsSpec(), f.spec(pdb), f.spec(cdb), stream.name(),
                        "-", "2");
            }
            try (child) {
                child.awaitLines("P ", 40, WAIT, stderr.toFile());
                child.kill();
            }
            // the restarted producer process (relay) and, embedded, its consumer
            streams.producer(stream, pdb);
            if (f.inProcess()) {
                streams.subscribe(stream, "sync", cdb, TestApp.applier(cdb, Duration.ZERO, p -> { }));
            }
            // why: read what was committed only once the consumer caught up — PostgreSQL may still complete a
            // COMMIT the killed child sent just before it died.
            BooleanSupplier caughtUp = () -> TestApp.count(cdb, "SELECT COUNT(*) FROM applied")
                    >= TestApp.count(pdb, "SELECT COUNT(*) FROM produced");
            await("all committed applied", caughtUp);
            Thread.sleep(300);
            await("all committed applied, late commits included", caughtUp);
            List<Long> committed = TestApp.ids(pdb, "SELECT id FROM produced ORDER BY id");
            assertThat(committed).hasSizeGreaterThanOrEqualTo(40);
            assertExactlyOnce(cdb, committed);
        }
    }

    private static void assertExactlyOnce(Database cdb, List<Long> expected) {
        List<Long> applied = TestApp.ids(cdb, "SELECT id FROM applied ORDER BY position");
        assertThat(new HashSet<>(applied)).as("no message lost").hasSameSizeAs(expected).containsAll(expected);
        assertThat(applied).as("no message applied twice, in order").containsExactlyElementsOf(expected);
        List<Long> positions = TestApp.ids(cdb, "SELECT position FROM applied ORDER BY position");
        assertThat(positions).doesNotHaveDuplicates();
    }
}
