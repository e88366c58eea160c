package dev.myelin.userapi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.userapi.api.LoginResult;
import dev.myelin.userapi.api.TokenLookup;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

@DatabaseComponent("userapi")
class LocalUserApiTest {

    /** A clock tests move by hand. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    private final TestClock clock = new TestClock();

    private LocalUserApi api(Database db) {
        return new LocalUserApi(db, new UserApiSettings("example.org", PasswordHasher.Cost.TEST, Duration.ofMinutes(5)),
                clock, new SecureRandom());
    }

    private static String errcode(Runnable r) {
        try {
            r.run();
        } catch (MatrixException e) {
            return e.errcode();
        }
        throw new AssertionError("no MatrixException");
    }

    @DatabaseTest
    void createsAccountsAndRefusesTakenOrInvalidNames(Database db) {
        LocalUserApi api = api(db);
        api.createAccount("alice", Optional.of("pw"), false, false);
        assertThat(errcode(() -> api.createAccount("alice", Optional.of("pw"), false, false))).isEqualTo("M_USER_IN_USE");
        assertThat(errcode(() -> api.checkUsernameAvailable("alice"))).isEqualTo("M_USER_IN_USE");
        assertThat(errcode(() -> api.checkUsernameAvailable("Alice"))).isEqualTo("M_INVALID_USERNAME");
        assertThat(errcode(() -> api.createAccount("a b", Optional.empty(), false, false))).isEqualTo("M_INVALID_USERNAME");
        assertThat(errcode(() -> api.checkUsernameAvailable(""))).isEqualTo("M_INVALID_USERNAME");
        assertThat(errcode(() -> api.checkUsernameAvailable("x".repeat(250)))).isEqualTo("M_INVALID_USERNAME");
        api.checkUsernameAvailable("a.b_c=d-e/f+9");
        api.checkUsernameAvailable("bob");
        assertThat(api.checkPassword("alice", "pw").userId()).isEqualTo("@alice:example.org");
        assertThat(errcode(() -> api.checkPassword("alice", "wrong"))).isEqualTo("M_FORBIDDEN");
        assertThat(errcode(() -> api.checkPassword("nobody", "pw"))).isEqualTo("M_FORBIDDEN");
        assertThat(api.generateLocalpart()).matches("[0-9]{9}");
    }

    @DatabaseTest
    void accessTokensAreStoredOnlyAsHashesAndStopWorkingWhenTheDeviceGoes(Database db) throws Exception {
        LocalUserApi api = api(db);
        api.createAccount("alice", Optional.of("pw"), false, false);
        LoginResult login = api.login("alice", Optional.empty(), Optional.of("Phone"), false, "127.0.0.1", Optional.empty());
        assertThat(login.accessToken()).startsWith("myl_");
        TokenLookup lookup = api.lookupAccessToken(login.accessToken(), "127.0.0.2", Optional.empty());
        assertThat(lookup).isInstanceOfSatisfying(TokenLookup.Valid.class,
                v -> assertThat(v.requester().deviceId()).isEqualTo(login.deviceId()));
        String stored = db.read(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT token_hash FROM access_tokens")) {
                rs.next();
                return rs.getString(1);
            }
        });
        assertThat(stored).isEqualTo(Tokens.hash(login.accessToken())).doesNotContain(login.accessToken());
        assertThat(api.devices("alice")).singleElement().satisfies(d -> {
            assertThat(d.displayName()).contains("Phone");
            assertThat(d.lastSeenIp()).contains("127.0.0.2");
        });
        api.deleteDevice("alice", login.deviceId());
        assertThat(api.lookupAccessToken(login.accessToken(), "x", Optional.empty())).isInstanceOf(TokenLookup.Unknown.class);
        assertThat(api.devices("alice")).isEmpty();
    }

    @DatabaseTest
    void reusingADeviceIdReplacesItsToken(Database db) {
        LocalUserApi api = api(db);
        api.createAccount("alice", Optional.of("pw"), false, false);
        LoginResult first = api.login("alice", Optional.of("DEV"), Optional.empty(), false, "ip", Optional.empty());
        assertThat(api.lookupAccessToken(first.accessToken(), "ip", Optional.empty())).isInstanceOf(TokenLookup.Valid.class);
        LoginResult second = api.login("alice", Optional.of("DEV"), Optional.empty(), false, "ip", Optional.empty());
        assertThat(api.lookupAccessToken(first.accessToken(), "ip", Optional.empty())).isInstanceOf(TokenLookup.Unknown.class);
        assertThat(api.lookupAccessToken(second.accessToken(), "ip", Optional.empty())).isInstanceOf(TokenLookup.Valid.class);
        assertThat(api.devices("alice")).hasSize(1);
    }

    @DatabaseTest
    void refreshableTokensExpireAndRefreshRotatesThem(Database db) {
        LocalUserApi api = api(db);
        api.createAccount("alice", Optional.of("pw"), false, false);
        LoginResult login = api.login("alice", Optional.empty(), Optional.empty(), true, "ip", Optional.empty());
        assertThat(login.expiresInMs()).contains(300_000L);
        clock.now = clock.now.plusSeconds(301);
        assertThat(api.lookupAccessToken(login.accessToken(), "ip", Optional.empty())).isInstanceOf(TokenLookup.Expired.class);
        LoginResult refreshed = api.refresh(login.refreshToken().orElseThrow());
        assertThat(refreshed.deviceId()).isEqualTo(login.deviceId());
        // the old refresh token stays usable until the new access token is used
        LoginResult again = api.refresh(login.refreshToken().orElseThrow());
        assertThat(api.lookupAccessToken(again.accessToken(), "ip", Optional.empty())).isInstanceOf(TokenLookup.Valid.class);
        assertThat(errcode(() -> api.refresh(login.refreshToken().orElseThrow()))).isEqualTo("M_UNKNOWN_TOKEN");
        assertThat(errcode(() -> api.refresh("mylr_nonsense"))).isEqualTo("M_UNKNOWN_TOKEN");
    }

    @DatabaseTest
    void deactivationEndsEverySessionAndFreesNothing(Database db) {
        LocalUserApi api = api(db);
        api.createAccount("alice", Optional.of("pw"), false, false);
        LoginResult login = api.login("alice", Optional.empty(), Optional.empty(), false, "ip", Optional.empty());
        api.lookupAccessToken(login.accessToken(), "ip", Optional.empty()); // cached now
        api.setProfileField("alice", "displayname", Optional.of(StringNode.valueOf("Alice")));
        api.deactivate("alice", true);
        assertThat(api.lookupAccessToken(login.accessToken(), "ip", Optional.empty())).isInstanceOf(TokenLookup.Unknown.class);
        assertThat(errcode(() -> api.checkPassword("alice", "pw"))).isEqualTo("M_FORBIDDEN");
        assertThat(errcode(() -> api.checkUsernameAvailable("alice"))).isEqualTo("M_USER_IN_USE");
        assertThat(api.profile("alice").orElseThrow().size()).isZero();
    }

    @DatabaseTest
    void loginTokensAreSingleUseAndExpire(Database db) {
        LocalUserApi api = api(db);
        api.createAccount("alice", Optional.of("pw"), false, false);
        String token = api.createLoginToken("alice", 120_000);
        assertThat(api.consumeLoginToken(token)).isEqualTo("alice");
        assertThat(errcode(() -> api.consumeLoginToken(token))).isEqualTo("M_FORBIDDEN");
        String late = api.createLoginToken("alice", 120_000);
        clock.now = clock.now.plusSeconds(121);
        assertThat(errcode(() -> api.consumeLoginToken(late))).isEqualTo("M_FORBIDDEN");
    }

    @DatabaseTest
    void storesProfilesAccountDataFiltersAndPushRules(Database db) {
        LocalUserApi api = api(db);
        api.createAccount("alice", Optional.of("pw"), false, false);
        api.setProfileField("alice", "displayname", Optional.of(StringNode.valueOf("Alice")));
        assertThat(api.profile("alice").orElseThrow().get("displayname").asString()).isEqualTo("Alice");
        api.setProfileField("alice", "displayname", Optional.empty());
        assertThat(api.profile("alice").orElseThrow().has("displayname")).isFalse();
        assertThat(api.profile("nobody")).isEmpty();

        ObjectNode content = Json.readObject("{\"a\":1}");
        api.setAccountData("alice", Optional.of("!r:example.org"), "m.tag", content);
        assertThat(api.accountData("alice", Optional.of("!r:example.org"), "m.tag")).contains(content);
        assertThat(api.accountData("alice", Optional.empty(), "m.tag")).isEmpty();
        assertThat(api.accountData("alice", Optional.empty(), "m.push_rules").orElseThrow().path("global").has("override")).isTrue();

        String f0 = api.createFilter("alice", Json.readObject("{\"room\":{}}"));
        String f1 = api.createFilter("alice", Json.readObject("{\"presence\":{}}"));
        assertThat(f0).isEqualTo("0");
        assertThat(f1).isEqualTo("1");
        assertThat(api.filter("alice", "1").orElseThrow().has("presence")).isTrue();
        assertThat(api.filter("alice", "x")).isEmpty();
        assertThat(api.filter("bob", "0")).isEmpty();

        api.putPushRule("alice", "content", "cake", Json.readObject("{\"pattern\":\"cake\",\"actions\":[\"notify\"]}"),
                Optional.empty(), Optional.empty());
        api.setPushRuleEnabled("alice", "content", "cake", false);
        assertThat(api.pushRule("alice", "content", "cake").get("enabled").asBoolean()).isFalse();
        assertThat(api.pushRules("alice").get("content").get(0).get("rule_id").asString()).isEqualTo("cake");
    }

    @DatabaseTest
    void registrationTokensCountUses(Database db) {
        LocalUserApi api = api(db);
        var token = api.createRegistrationToken(Optional.empty(), 16, Optional.of(1), Optional.empty());
        assertThat(token.token()).hasSize(16);
        assertThat(api.registrationTokenValid(token.token())).isTrue();
        assertThat(api.reserveRegistrationToken(token.token())).isTrue();
        assertThat(api.registrationTokenValid(token.token())).as("the one use is pending").isFalse();
        api.releaseRegistrationToken(token.token());
        assertThat(api.registrationTokenValid(token.token())).as("a released use is free again").isTrue();
        api.releaseRegistrationToken(token.token());
        assertThat(api.registrationToken(token.token()).orElseThrow().pending()).isZero();
        assertThat(api.reserveRegistrationToken(token.token())).isTrue();
        api.completeRegistrationToken(token.token());
        assertThat(api.registrationToken(token.token()).orElseThrow().completed()).isEqualTo(1);
        assertThat(api.registrationTokens(Optional.of(true))).isEmpty();
        assertThat(errcode(() -> api.createRegistrationToken(Optional.of(token.token()), 0, Optional.empty(), Optional.empty())))
                .isEqualTo("M_INVALID_PARAM");
        api.deleteRegistrationToken(token.token());
        assertThatThrownBy(() -> api.deleteRegistrationToken(token.token())).isInstanceOf(MatrixException.class);
    }
}
