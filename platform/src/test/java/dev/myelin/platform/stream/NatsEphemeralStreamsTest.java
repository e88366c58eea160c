package dev.myelin.platform.stream;

import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** Ephemeral streams of the distributed shape: two NATS connections stand for two processes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NatsEphemeralStreamsTest extends EphemeralStreamsContract {

    private io.nats.client.Connection natsA;
    private io.nats.client.Connection natsB;
    private NatsEphemeralStreams a;
    private NatsEphemeralStreams b;

    @BeforeAll
    void connect() {
        Services.require("NATS", 4222);
        NatsNames names = new NatsNames("t" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 8));
        natsA = StreamsFixture.connectNats();
        natsB = StreamsFixture.connectNats();
        a = new NatsEphemeralStreams(natsA, names);
        b = new NatsEphemeralStreams(natsB, names);
    }

    @AfterAll
    void disconnect() throws InterruptedException {
        if (a != null) {
            a.close();
            b.close();
            natsA.close();
            natsB.close();
        }
    }

    @Override
    protected EphemeralStreams first() {
        return a;
    }

    @Override
    protected EphemeralStreams second() {
        return b;
    }
}
