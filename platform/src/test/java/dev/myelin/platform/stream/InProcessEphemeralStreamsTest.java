package dev.myelin.platform.stream;

import org.junit.jupiter.api.AfterEach;

/** Ephemeral streams of the embedded shape. */
class InProcessEphemeralStreamsTest extends EphemeralStreamsContract {

    private final InProcessEphemeralStreams bus = new InProcessEphemeralStreams();

    @Override
    protected EphemeralStreams first() {
        return bus;
    }

    @Override
    protected EphemeralStreams second() {
        return bus;
    }

    @AfterEach
    void close() {
        bus.close();
    }
}
