package dev.myelin.platform.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.db.Database;
import java.time.Duration;
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
