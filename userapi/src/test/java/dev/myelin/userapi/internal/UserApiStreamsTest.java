package dev.myelin.userapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.platform.stream.EphemeralStreams;
import dev.myelin.platform.stream.InProcessEphemeralStreams;
import dev.myelin.platform.stream.InProcessStreams;
import dev.myelin.platform.stream.NatsEphemeralStreams;
import dev.myelin.platform.stream.NatsNames;
import dev.myelin.platform.stream.StreamTables;
import dev.myelin.platform.stream.Subscription;
import dev.myelin.userapi.api.LoginResult;
import dev.myelin.userapi.api.OutputClientData;
import dev.myelin.userapi.api.TokenLookup;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * What the userapi tells other components and its other instances: account data changes on the
 * {@code OutputClientData} stream (written in the change's transaction), and revoked access tokens over an
 * ephemeral stream so that no instance keeps serving a cached token.
 */
@DatabaseComponent("userapi")
class UserApiStreamsTest {

    private static LocalUserApi instance(Database db) {
        return new LocalUserApi(db, new UserApiSettings("example.org", PasswordHasher.Cost.TEST, Duration.ofMinutes(5)),
                Clock.systemUTC(), new SecureRandom());
    }

    private static boolean valid(LocalUserApi api, String token) {
        return api.lookupAccessToken(token, "127.0.0.1", Optional.empty()) instanceof TokenLookup.Valid;
    }

    @DatabaseTest
    void accountDataChangesGoOutOnTheStreamWithTheirPositions(Database db) throws Exception {
        StreamTables.migrate(db);
        LocalUserApi api = instance(db);
        BlockingQueue<OutputClientData> seen = new LinkedBlockingQueue<>();
        try (InProcessStreams streams = new InProcessStreams()) {
            api.publishClientData(streams.producer(OutputClientData.STREAM, db));
            streams.declareConsumer(OutputClientData.STREAM, "test");
            api.createAccount("alice", Optional.of("pw"), false, false);
            api.setAccountData("alice", Optional.empty(), "org.example.a", JsonNodeFactory.instance.objectNode().put("k", 1));
            long afterA = api.accountDataPosition();
            api.setAccountData("alice", Optional.of("!r:example.org"), "m.tag", JsonNodeFactory.instance.objectNode());
            api.setPushRuleEnabled("alice", "override", ".m.rule.master", true);
            try (Subscription s = streams.subscribe(OutputClientData.STREAM, "test", db, d -> seen.add(d.message()))) {
                List<OutputClientData> got = new ArrayList<>();
                for (int i = 0; i < 3; i++) got.add(seen.poll(10, TimeUnit.SECONDS));
                assertThat(got).containsExactly(
                        new OutputClientData("@alice:example.org", "", "org.example.a", afterA),
                        new OutputClientData("@alice:example.org", "!r:example.org", "m.tag", afterA + 1),
                        new OutputClientData("@alice:example.org", "", "m.push_rules", afterA + 2));
                assertThat(api.accountDataPosition()).isEqualTo(afterA + 2);
            }
        }
    }

    /** Two userapi instances over one database, as two processes of the distributed shape. */
    private static void revocationReachesTheOtherInstance(Database db, EphemeralStreams first, EphemeralStreams second,
            Settle settle) throws Exception {
        LocalUserApi a = instance(db);
        LocalUserApi b = instance(db);
        LocalUserApi unshared = instance(db);
        try (EphemeralStreams.Registration ra = a.shareTokenRevocations(first);
             EphemeralStreams.Registration rb = b.shareTokenRevocations(second)) {
            settle.run();
            a.createAccount("alice", Optional.of("pw"), false, false);
            LoginResult phone = a.login("alice", Optional.of("PHONE"), Optional.empty(), false, "127.0.0.1", Optional.empty());
            LoginResult laptop = a.login("alice", Optional.of("LAPTOP"), Optional.empty(), false, "127.0.0.1", Optional.empty());
            assertThat(valid(b, phone.accessToken())).isTrue(); // now cached in b
            assertThat(valid(unshared, phone.accessToken())).isTrue();

            a.deleteDevice("alice", "PHONE");
            awaitUnknown(b, phone.accessToken());
            // why: proves the test can fail — an instance that hears nothing keeps its cached entry
            assertThat(valid(unshared, phone.accessToken())).as("without the stream, the cache still answers").isTrue();

            assertThat(valid(b, laptop.accessToken())).isTrue();
            b.setAdmin("alice", true); // revocation the other way, of every cached requester
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                if (a.lookupAccessToken(laptop.accessToken(), "127.0.0.1", Optional.empty()) instanceof TokenLookup.Valid v
                        && v.requester().isAdmin()) break;
                Thread.sleep(10);
            }
            assertThat(((TokenLookup.Valid) a.lookupAccessToken(laptop.accessToken(), "127.0.0.1", Optional.empty()))
                    .requester().isAdmin()).isTrue();

            assertThat(valid(b, laptop.accessToken())).isTrue();
            a.deactivate("alice", false);
            awaitUnknown(b, laptop.accessToken());
        }
    }

    /** Waits until both listeners are registered where publishers will reach them. */
    @FunctionalInterface
    private interface Settle {
        void run() throws Exception;
    }

    private static void awaitUnknown(LocalUserApi api, String token) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (valid(api, token) && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(valid(api, token)).as("revoked in the other instance").isFalse();
    }

    @DatabaseTest
    void revokedTokensStopWorkingInEveryInstanceInProcess(Database db) throws Exception {
        try (InProcessEphemeralStreams streams = new InProcessEphemeralStreams()) {
            revocationReachesTheOtherInstance(db, streams, streams, () -> { });
        }
    }

    @DatabaseTest
    void revokedTokensStopWorkingInEveryInstanceOverNats(Database db) throws Exception {
        io.nats.client.Connection one;
        io.nats.client.Connection two;
        try {
            one = io.nats.client.Nats.connect("nats://127.0.0.1:4222");
            two = io.nats.client.Nats.connect("nats://127.0.0.1:4222");
        } catch (java.io.IOException e) {
            if ("1".equals(System.getenv("MYELIN_REQUIRE_SERVICES"))) throw e;
            Assumptions.abort("NATS is not reachable at 127.0.0.1:4222: " + e.getMessage());
            return;
        }
        NatsNames names = new NatsNames("test" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        try (NatsEphemeralStreams first = new NatsEphemeralStreams(one, names);
             NatsEphemeralStreams second = new NatsEphemeralStreams(two, names)) {
            // why: each connection's SUB must have reached the server before the other connection publishes
            revocationReachesTheOtherInstance(db, first, second, () -> {
                one.flush(Duration.ofSeconds(5));
                two.flush(Duration.ofSeconds(5));
            });
        } finally {
            one.close();
            two.close();
        }
    }
}
