package dev.myelin.clientapi.routing;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.myelin.clientapi.auth.RateLimiter;
import dev.myelin.clientapi.routing.TestServer.Response;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

@DatabaseComponent("userapi")
class SecurityTest {

    @DatabaseTest
    void oneUsersTokenNeverActsAsAnother(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String alice = s.registerToken("alice", "pw");
            s.registerToken("bob", "pw");
            String bob = "/_matrix/client/v3/user/@bob:test.local";
            assertThat(s.put(bob + "/account_data/x", alice, Map.of()).status()).isEqualTo(403);
            assertThat(s.get(bob + "/account_data/x", alice).status()).isEqualTo(403);
            assertThat(s.get(bob + "/rooms/!r:test.local/tags", alice).status()).isEqualTo(403);
            assertThat(s.post(bob + "/filter", alice, Map.of()).status()).isEqualTo(403);
            assertThat(s.put("/_matrix/client/v3/profile/@bob:test.local/displayname", alice, Map.of("displayname", "x"))
                    .status()).isEqualTo(403);
            // devices are per user: Bob's device IDs are not found from Alice's session
            String bobDevice = s.users.devices("bob").get(0).deviceId();
            assertThat(s.get("/_matrix/client/v3/devices/" + bobDevice, alice).status()).isEqualTo(404);
            assertThat(s.put("/_matrix/client/v3/devices/" + bobDevice, alice, Map.of("display_name", "pwned")).status()).isEqualTo(404);
            assertThat(s.delete("/_matrix/client/v3/devices/" + bobDevice, alice,
                    Map.of("auth", TestServer.passwordAuth("alice", "pw", null))).status()).isEqualTo(404);
            assertThat(s.users.devices("bob")).hasSize(1);
            // Alice cannot pass Bob's password in her own UIA
            Response asBob = s.post("/_matrix/client/v3/account/deactivate", alice,
                    Map.of("auth", TestServer.passwordAuth("bob", "pw", null)));
            assertThat(asBob.status()).isEqualTo(401);
            assertThat(asBob.errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.users.account("alice").orElseThrow().deactivated()).isFalse();
            assertThat(s.get("/_matrix/client/v3/account/whoami", "myl_forged").errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        }
    }

    @DatabaseTest
    void adminOnlyEndpointsRefuseNonAdmins(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String plain = s.registerToken("plain", "pw");
            for (String path : new String[] {"/_synapse/admin/v1/registration_tokens", "/_synapse/admin/v1/registration_tokens/x"}) {
                Response r = s.get(path, plain);
                assertThat(r.status()).isEqualTo(403);
                assertThat(r.errcode()).isEqualTo("M_FORBIDDEN");
            }
            assertThat(s.post("/_synapse/admin/v1/registration_tokens/new", plain, Map.of()).status()).isEqualTo(403);
            assertThat(s.put("/_synapse/admin/v1/registration_tokens/x", plain, Map.of()).status()).isEqualTo(403);
            assertThat(s.delete("/_synapse/admin/v1/registration_tokens/x", plain, null).status()).isEqualTo(403);
            assertThat(s.users.registrationTokens(Optional.empty())).isEmpty();
        }
    }

    @DatabaseTest
    void bruteForceLoginIsSlowedPerAddressAndPerAccount(Database db, DatabaseConfig storage) throws Exception {
        ClientApiSettings open = TestServer.openSettings();
        ClientApiSettings limited = new ClientApiSettings(true, false, false, Optional.empty(),
                new RateLimiter.Limit(0.1, 3), RateLimiter.Limit.UNLIMITED, ClientApiSettings.Turn.none());
        try (TestServer s = new TestServer(db, storage, limited)) {
            s.registerToken("alice", "pw");
            Response last = null;
            int forbidden = 0;
            for (int i = 0; i < 4; i++) {
                last = s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "alice",
                        "password", "guess" + i));
                if (last.errcode().equals("M_FORBIDDEN")) forbidden++;
            }
            assertThat(forbidden).isEqualTo(3);
            assertThat(last.status()).isEqualTo(429);
            assertThat(last.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
            assertThat(last.body().path("retry_after_ms").asLong()).isBetween(1L, 10_000L);
            // even the right password waits until the bucket refills
            assertThat(s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "alice",
                    "password", "pw")).status()).isEqualTo(429);
            s.clock.advance(java.time.Duration.ofSeconds(10));
            assertThat(s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "alice",
                    "password", "pw")).status()).isEqualTo(200);
        }
        assertThat(open.loginLimit()).isEqualTo(RateLimiter.Limit.UNLIMITED);
    }

    @DatabaseTest
    void passwordGuessesThroughUiaAreRateLimitedToo(Database db, DatabaseConfig storage) throws Exception {
        ClientApiSettings limited = new ClientApiSettings(true, false, false, Optional.empty(),
                new RateLimiter.Limit(0.1, 2), RateLimiter.Limit.UNLIMITED, ClientApiSettings.Turn.none());
        try (TestServer s = new TestServer(db, storage, limited)) {
            String token = s.registerToken("alice", "pw");
            int last = 0;
            for (int i = 0; i < 3; i++) {
                last = s.post("/_matrix/client/v3/account/deactivate", token,
                        Map.of("auth", TestServer.passwordAuth("alice", "guess" + i, null))).status();
            }
            assertThat(last).isEqualTo(429);
            assertThat(s.users.account("alice").orElseThrow().deactivated()).isFalse();
        }
    }

    @DatabaseTest
    void registrationIsRateLimitedPerAddress(Database db, DatabaseConfig storage) throws Exception {
        ClientApiSettings limited = new ClientApiSettings(true, false, false, Optional.empty(), RateLimiter.Limit.UNLIMITED,
                new RateLimiter.Limit(0.1, 2), ClientApiSettings.Turn.none());
        try (TestServer s = new TestServer(db, storage, limited)) {
            s.post("/_matrix/client/v3/register", null, Map.of());
            s.post("/_matrix/client/v3/register", null, Map.of());
            Response third = s.post("/_matrix/client/v3/register", null, Map.of());
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.body().has("retry_after_ms")).isTrue();
        }
    }

    @DatabaseTest
    void passwordsAndTokensNeverReachTheLogs(Database db, DatabaseConfig storage) throws Exception {
        // Our code at its most verbose; libraries at INFO, as the server runs them (Jetty's DEBUG dumps raw
        // request buffers, so the server must never run Jetty below INFO).
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger ours = (Logger) LoggerFactory.getLogger("dev.myelin");
        ch.qos.logback.classic.Level before = root.getLevel();
        ch.qos.logback.classic.Level oursBefore = ours.getLevel();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        root.setLevel(ch.qos.logback.classic.Level.INFO);
        ours.setLevel(ch.qos.logback.classic.Level.TRACE);
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String password = "Sup3r-Secret-Passw0rd";
            String token = s.registerToken("alice", password);
            Response login = s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "alice",
                    "password", password, "refresh_token", true));
            s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "alice", "password", "wrong-" + password));
            s.get("/_matrix/client/v3/account/whoami", token);
            s.get("/_matrix/client/v3/account/whoami?access_token=" + token, null);
            String session = s.post("/_matrix/client/v3/account/password", token, Map.of("new_password", password + "2")).text("session");
            s.post("/_matrix/client/v3/account/password", token, Map.of("new_password", password + "2",
                    "auth", TestServer.passwordAuth("alice", password, session)));
            s.post("/_matrix/client/v3/logout", token, Map.of());
            root.detachAppender(appender);
            java.util.List<ILoggingEvent> events;
            synchronized (appender) {
                events = new java.util.ArrayList<>(appender.list);
            }
            for (ILoggingEvent event : events) {
                String line = event.getFormattedMessage() + " " + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage());
                assertThat(line).as(event.getLoggerName()).doesNotContain(password, token, login.text("access_token"), login.text("refresh_token"),
                        token.substring(4, 20));
            }
            assertThat(events).as("something was logged, so the check can fail")
                    .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("@alice:test.local"));
        } finally {
            root.detachAppender(appender);
            root.setLevel(before);
            ours.setLevel(oursBefore);
        }
    }
}
