package dev.myelin.platform.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.Dialect;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** The durable stream contract on the distributed shape: outbox relay to JetStream (SQLite producer databases). */
class JetStreamStreamsTest extends DurableStreamsContract {

    private String prefix;

    @Override
    protected StreamsFixture createFixture() throws Exception {
        Services.require("NATS", 4222);
        prefix = "t" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 8);
        StreamTestDatabases dbs = new StreamTestDatabases(Dialect.SQLITE);
        return new StreamsFixture() {
            @Override
            Database newDatabase() {
                return dbs.newDatabase();
            }

            @Override
            String spec(Database db) {
                return dbs.spec(db);
            }

            @Override
            String streamsSpec() {
                return "jetstream:" + prefix;
            }

            @Override
            public void close() throws Exception {
                io.nats.client.Connection nats = connectNats();
                try {
                    new JetStreamStreams(nats, JetStreamStreams.Settings.defaults(prefix)).deleteAllStreams();
                    assertThat(nats.jetStreamManagement().getStreamNames())
                            .noneMatch(n -> n.startsWith(prefix + "_"));
                } finally {
                    nats.close();
                    dbs.close();
                }
            }
        };
    }

    @Test
    void relayPublishesWithThePositionAsMessageIdSoARepublishIsDropped() throws Exception {
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        TestApp.createTables(pdb, cdb);
        StreamDefinition<Note> stream = freshStream();
        NatsNames names = new NatsNames(prefix);
        try (DurableStreams streams = f.newStreams()) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            streams.subscribe(stream, "sync", cdb, TestApp.applier(cdb, Duration.ZERO, p -> { }));
            TestApp.produce(pdb, producer, 1);
            await("applied", () -> TestApp.count(cdb, "SELECT COUNT(*) FROM applied") >= 1);
            await("relayed outbox", () -> TestApp.outboxRows(pdb, stream.name()) == 0);

            io.nats.client.Connection nats = StreamsFixture.connectNats();
            try {
                PublishAck ack = nats.jetStream().publish(names.durableSubject(stream), new byte[] {'{', '}'},
                        PublishOptions.builder().messageId("1").build());
                assertThat(ack.isDuplicate()).isTrue();
                assertThat(ack.getStream()).isEqualTo(names.jetStreamName(stream));
            } finally {
                nats.close();
            }
            Thread.sleep(300);
        }
        assertThat(TestApp.ids(cdb, "SELECT id FROM applied")).containsExactly(1L);
    }

    @Test
    void handlerSlowerThanAckWaitIsNotRedeliveredWhileItWorks() throws Exception {
        // why: the fixture's ackWait is 1 s; the handler takes 2.5 s and must still see its message once.
        Database pdb = f.newDatabase();
        Database cdb = f.newDatabase();
        TestApp.createTables(pdb, cdb);
        StreamDefinition<Note> stream = freshStream();
        java.util.List<Long> deliveries = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (DurableStreams streams = f.newStreams()) {
            StreamProducer<Note> producer = streams.producer(stream, pdb);
            streams.subscribe(stream, "slow", cdb, d -> {
                deliveries.add(d.message().id());
                if (d.message().id() == 1) {
                    Thread.sleep(2500);
                }
            });
            TestApp.produce(pdb, producer, 1);
            TestApp.produce(pdb, producer, 2);
            await("both", () -> deliveries.contains(2L));
            Thread.sleep(1500);
        }
        assertThat(deliveries).containsExactly(1L, 2L);
    }
}
