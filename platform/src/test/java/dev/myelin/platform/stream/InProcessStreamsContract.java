package dev.myelin.platform.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.db.Database;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** What only the embedded shape does: interest retention by cursors in the producer's database. */
abstract class InProcessStreamsContract extends DurableStreamsContract {

    @Test
    void outboxKeepsRowsUntilTheSlowestRegisteredConsumerHasPassedThem() throws Exception {
        Database pdb = f.newDatabase();
        Database fastDb = f.newDatabase();
        Database slowDb = f.newDatabase();
        TestApp.createTables(pdb, fastDb);
        TestApp.createTables(pdb, slowDb);
        StreamDefinition<Note> stream = freshStream();
        try (DurableStreams streams = f.newStreams()) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            streams.subscribe(stream, "fast", fastDb, TestApp.applier(fastDb, Duration.ZERO, p -> { }));
            // "slow" registers its interest, then is stopped (a component that is down)
            streams.subscribe(stream, "slow", slowDb, TestApp.applier(slowDb, Duration.ZERO, p -> { })).close();
            for (long id = 1; id <= 10; id++) {
                TestApp.produce(pdb, producer, id);
            }
            await("fast consumer", () -> TestApp.count(fastDb, "SELECT COUNT(*) FROM applied") >= 10);
            Thread.sleep(300);
            assertThat(TestApp.outboxRows(pdb, stream.name())).isEqualTo(10);

            streams.subscribe(stream, "slow", slowDb, TestApp.applier(slowDb, Duration.ZERO, p -> { }));
            await("slow consumer", () -> TestApp.count(slowDb, "SELECT COUNT(*) FROM applied") >= 10);
            await("pruned outbox", () -> TestApp.outboxRows(pdb, stream.name()) == 0);
        }
    }

    @Test
    void aBacklogGoesToTheHandlerInBatchesAndAFailedBatchIsRetriedOneMessageAtATime() throws Exception {
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        TestApp.createTables(pdb, cdb);
        StreamDefinition<Note> stream = freshStream();
        AtomicBoolean failOnce = new AtomicBoolean(true);
        StreamHandler<Note> transactional = StreamHandler.transactional(cdb, (tx, d) -> {
            try (var ps = tx.prepareStatement("INSERT INTO applied (id, msg_key, position) VALUES (?, ?, ?)")) {
                ps.setLong(1, d.message().id());
                ps.setString(2, d.key());
                ps.setLong(3, d.position());
                ps.executeUpdate();
            }
            if (d.message().id() == 40 && failOnce.getAndSet(false)) {
                throw new IllegalStateException("message 40 fails once, in the middle of its batch");
            }
        });
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        List<Long> singles = new CopyOnWriteArrayList<>();
        try (DurableStreams streams = f.newStreams()) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            streams.declareConsumer(stream, "sync");
            for (long id = 1; id <= 70; id++) {
                TestApp.produce(pdb, producer, id);
            }
            streams.subscribe(stream, "sync", cdb, new StreamHandler<>() {
                @Override
                public void handle(Delivery<Note> d) throws Exception {
                    singles.add(d.message().id());
                    transactional.handle(d);
                }

                @Override
                public void handleAll(List<Delivery<Note>> deliveries) throws Exception {
                    batchSizes.add(deliveries.size());
                    transactional.handleAll(deliveries);
                }
            });
            await("70 applied", () -> TestApp.count(cdb, "SELECT COUNT(*) FROM applied") >= 70);
            Thread.sleep(200);
        }
        // 1–32 in one batch; 33–64 fails as a whole (one transaction: nothing of it stays) and goes one by one;
        // message 40 succeeds on its second try; 65–70 in one batch
        assertThat(batchSizes).containsExactly(32, 32, 6);
        assertThat(singles).containsExactlyElementsOf(LongStream.rangeClosed(33, 64).boxed().toList());
        assertThat(TestApp.ids(cdb, "SELECT id FROM applied ORDER BY position"))
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 70).boxed().toList());
    }

    @Test
    void subscribingToAStreamWithoutProducerIsRefused() {
        Database cdb = f.newDatabase();
        try (DurableStreams streams = f.newStreams()) {
            assertThatThrownBy(() -> streams.subscribe(freshStream(), "sync", cdb, d -> { }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no producer registered");
        }
    }

    @Test
    void sameDurableConsumerCannotRunTwiceInOneProcess() {
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        StreamDefinition<Note> stream = freshStream();
        try (DurableStreams streams = f.newStreams()) {
            streams.producer(stream, pdb);
            Subscription first = streams.subscribe(stream, "sync", cdb, d -> { });
            assertThatThrownBy(() -> streams.subscribe(stream, "sync", cdb, d -> { }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already running");
            first.close();
            streams.subscribe(stream, "sync", cdb, d -> { }).close();
        }
    }
}
