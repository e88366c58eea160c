package dev.myelin.syncapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Databases;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.platform.stream.InProcessEphemeralStreams;
import dev.myelin.syncapi.MovableClock;
import dev.myelin.syncapi.storage.PresenceTable;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Presence in the distributed shape: two syncapi instances over one database and one ephemeral stream. Each
 * hears the other's changes; one never times out a user who is syncing on the other.
 */
class PresenceInstancesTest {

    // why: the test sweeps by hand; the background sweepers wait an hour
    private static final Presence.Timeouts BY_HAND = new Presence.Timeouts(Duration.ofSeconds(30), Duration.ofMinutes(5),
            Duration.ofHours(1));

    private static String state(Database db, String user) {
        return db.read(c -> PresenceTable.get(c, user)).map(PresenceTable.Row::presence).orElse("none");
    }

    private static void await(Set<String> woken, String user) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!woken.contains(user) && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(woken).contains(user);
    }

    @DatabaseTest
    void anInstanceDoesNotTimeOutAUserSyncingOnAnotherAndHearsItsChanges(DatabaseConfig config) throws Exception {
        MovableClock clock = new MovableClock();
        Set<String> wokenOnA = ConcurrentHashMap.newKeySet();
        Set<String> wokenOnB = ConcurrentHashMap.newKeySet();
        try (Database db = Databases.open(config, SyncComponent.DATABASE);
             InProcessEphemeralStreams ephemeral = new InProcessEphemeralStreams();
             Presence a = new Presence(db, clock, true, BY_HAND, ephemeral, wokenOnA::add);
             Presence b = new Presence(db, clock, true, BY_HAND, ephemeral, wokenOnB::add)) {
            String bob = "@bob:test.local";
            Presence.Syncing poll = a.syncing(bob, "online");
            assertThat(state(db, bob)).isEqualTo("online");
            await(wokenOnB, bob); // B heard A's change, so B wakes the polls it holds for bob's room mates

            // bob's poll on A lasts past the offline timeout; A's sweep writes his heartbeat, B's leaves him online
            clock.advance(Duration.ofSeconds(20));
            a.sweep();
            clock.advance(Duration.ofSeconds(20));
            a.sweep();
            b.sweep();
            assertThat(state(db, bob)).isEqualTo("online");

            // the poll ends; A records its end; 30 s later B times him out, and A hears it
            poll.close();
            a.sweep();
            clock.advance(Duration.ofSeconds(29));
            b.sweep();
            assertThat(state(db, bob)).isEqualTo("online");
            wokenOnA.clear();
            clock.advance(Duration.ofSeconds(2));
            b.sweep();
            assertThat(state(db, bob)).isEqualTo("offline");
            await(wokenOnA, bob);
        }
    }

    @DatabaseTest
    void changesCrossProcessesOverNats(DatabaseConfig config) throws Exception {
        io.nats.client.Connection natsA = connectNatsOrSkip();
        io.nats.client.Connection natsB = connectNatsOrSkip();
        dev.myelin.platform.stream.NatsNames names = new dev.myelin.platform.stream.NatsNames("presence" + System.nanoTime());
        Set<String> wokenOnB = ConcurrentHashMap.newKeySet();
        try (Database db = Databases.open(config, SyncComponent.DATABASE);
             var streamsA = new dev.myelin.platform.stream.NatsEphemeralStreams(natsA, names);
             var streamsB = new dev.myelin.platform.stream.NatsEphemeralStreams(natsB, names);
             Presence a = new Presence(db, new MovableClock(), true, BY_HAND, streamsA, user -> { });
             Presence b = new Presence(db, new MovableClock(), true, BY_HAND, streamsB, wokenOnB::add)) {
            natsB.flush(java.time.Duration.ofSeconds(2)); // why: B's subscription is with the server before A publishes
            a.set("@carol:test.local", "unavailable", java.util.Optional.of("away"));
            await(wokenOnB, "@carol:test.local");
        } finally {
            natsA.close();
            natsB.close();
        }
    }

    /** A connection to the machine's NATS, or the test is skipped (fails under MYELIN_REQUIRE_SERVICES=1). */
    private static io.nats.client.Connection connectNatsOrSkip() throws InterruptedException {
        try {
            return io.nats.client.Nats.connect(new io.nats.client.Options.Builder().server("nats://127.0.0.1:4222")
                    .connectionTimeout(java.time.Duration.ofSeconds(2)).build());
        } catch (java.io.IOException e) {
            String message = "NATS is not reachable at 127.0.0.1:4222";
            if ("1".equals(System.getenv("MYELIN_REQUIRE_SERVICES"))) throw new AssertionError(message, e);
            org.junit.jupiter.api.Assumptions.abort(message + ": skipping");
            throw new IllegalStateException(e);
        }
    }
}
