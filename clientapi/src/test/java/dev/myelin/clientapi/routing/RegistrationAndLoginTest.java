package dev.myelin.clientapi.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.clientapi.auth.RateLimiter;
import dev.myelin.clientapi.auth.SharedSecretRegistration;
import dev.myelin.clientapi.routing.TestServer.Response;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@DatabaseComponent("userapi")
class RegistrationAndLoginTest {

    @DatabaseTest
    void registersThroughTheDummyFlowAsClientsDo(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            Response first = s.post("/_matrix/client/v3/register", null,
                    Map.of("username", "alice", "password", "pw", "initial_device_display_name", "Laptop"));
            assertThat(first.status()).isEqualTo(401);
            assertThat(first.body().path("flows").get(0).path("stages").get(0).asString()).isEqualTo("m.login.dummy");
            assertThat(first.body().has("params")).isTrue();
            assertThat(first.body().has("errcode")).as("the first 401 is a challenge, not an error").isFalse();
            String session = first.text("session");

            Response done = s.post("/_matrix/client/v3/register", null, Map.of("username", "alice", "password", "pw",
                    "initial_device_display_name", "Laptop", "auth", Map.of("type", "m.login.dummy", "session", session)));
            assertThat(done.status()).isEqualTo(200);
            assertThat(done.text("user_id")).isEqualTo("@alice:test.local");
            String token = done.text("access_token");

            Response whoami = s.get("/_matrix/client/v3/account/whoami", token);
            assertThat(whoami.body().path("user_id").asString()).isEqualTo("@alice:test.local");
            assertThat(whoami.body().path("device_id").asString()).isEqualTo(done.text("device_id"));
            assertThat(whoami.body().path("is_guest").asBoolean()).isFalse();
            assertThat(s.get("/_matrix/client/v3/devices", token).body().path("devices").get(0).path("display_name").asString())
                    .isEqualTo("Laptop");

            // the completed session cannot be replayed
            Response replay = s.post("/_matrix/client/v3/register", null, Map.of("username", "bob", "password", "pw",
                    "auth", Map.of("type", "m.login.dummy", "session", session)));
            assertThat(replay.status()).isEqualTo(400);
        }
    }

    @DatabaseTest
    void aSessionStartedOnOneClientapiProcessFinishesOnAnother(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer a = new TestServer(db, storage, TestServer.openSettings());
                TestServer b = new TestServer(db, storage, TestServer.openSettings())) {
            Response first = a.post("/_matrix/client/v3/register", null, Map.of("username", "roamer", "password", "pw"));
            Response done = b.post("/_matrix/client/v3/register", null, Map.of("username", "roamer", "password", "pw",
                    "auth", Map.of("type", "m.login.dummy", "session", first.text("session"))));
            assertThat(done.status()).isEqualTo(200);
            assertThat(a.post("/_matrix/client/v3/register", null, Map.of("username", "roamer2", "password", "pw",
                    "auth", Map.of("type", "m.login.dummy", "session", first.text("session")))).status())
                    .as("finished once, on either process").isEqualTo(400);
        }
    }

    @DatabaseTest
    void refusesTakenInvalidAndMalformedRegistrations(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            s.registerToken("alice", "pw");
            assertThat(s.register("alice", "pw").errcode()).isEqualTo("M_USER_IN_USE");
            assertThat(s.register("al ice", "pw").errcode()).isEqualTo("M_INVALID_USERNAME");
            assertThat(s.get("/_matrix/client/v3/register/available?username=alice", null).errcode()).isEqualTo("M_USER_IN_USE");
            assertThat(s.get("/_matrix/client/v3/register/available?username=carol", null).body().path("available").asBoolean()).isTrue();
            assertThat(s.post("/_matrix/client/v3/register", null, "{not json").errcode()).isEqualTo("M_NOT_JSON");
            assertThat(s.post("/_matrix/client/v3/register", null, Map.of("username", 5)).errcode()).isEqualTo("M_BAD_JSON");
            Response noPassword = s.post("/_matrix/client/v3/register", null,
                    Map.of("username", "dave", "auth", Map.of("type", "m.login.dummy")));
            assertThat(noPassword.errcode()).isEqualTo("M_MISSING_PARAM");
            assertThat(s.post("/_matrix/client/v3/register?kind=robot", null, Map.of()).errcode()).isEqualTo("M_INVALID_PARAM");
        }
    }

    @DatabaseTest
    void inhibitLoginAndGuestsAndClosedRegistration(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            Response first = s.post("/_matrix/client/v3/register", null, Map.of());
            Response inhibited = s.post("/_matrix/client/v3/register", null, Map.of("username", "quiet", "password", "pw",
                    "inhibit_login", true, "auth", Map.of("type", "m.login.dummy", "session", first.text("session"))));
            assertThat(inhibited.status()).isEqualTo(200);
            assertThat(inhibited.body().has("access_token")).isFalse();

            Response guest = s.post("/_matrix/client/v3/register?kind=guest", null, Map.of());
            assertThat(guest.status()).isEqualTo(200);
            String guestToken = guest.text("access_token");
            assertThat(s.get("/_matrix/client/v3/account/whoami", guestToken).body().path("is_guest").asBoolean()).isTrue();
            assertThat(s.get("/_matrix/client/v3/account/3pid", guestToken).errcode()).isEqualTo("M_GUEST_ACCESS_FORBIDDEN");

            // a guest upgrades by registering with its token and its own localpart
            String guestLocalpart = guest.text("user_id").substring(1, guest.text("user_id").indexOf(':'));
            Response wrongName = s.post("/_matrix/client/v3/register", null, Map.of("username", "someoneelse", "password", "pw",
                    "guest_access_token", guestToken));
            assertThat(wrongName.errcode()).isEqualTo("M_FORBIDDEN");
            Response challenge = s.post("/_matrix/client/v3/register", null, Map.of("username", guestLocalpart, "password", "pw",
                    "guest_access_token", guestToken));
            assertThat(challenge.status()).isEqualTo(401);
            Response upgraded = s.post("/_matrix/client/v3/register", null, Map.of("username", guestLocalpart, "password", "pw",
                    "guest_access_token", guestToken, "auth", Map.of("type", "m.login.dummy", "session", challenge.text("session"))));
            assertThat(upgraded.status()).isEqualTo(200);
            assertThat(upgraded.text("user_id")).isEqualTo(guest.text("user_id"));
            assertThat(s.get("/_matrix/client/v3/account/whoami", upgraded.text("access_token")).body().path("is_guest").asBoolean())
                    .isFalse();
            assertThat(s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", guestLocalpart,
                    "password", "pw")).status()).isEqualTo(200);
        }
        ClientApiSettings closed = ClientApiSettings.defaults();
        try (TestServer s = new TestServer(db, storage, closed)) {
            Response r = s.post("/_matrix/client/v3/register", null, Map.of("username", "x", "password", "pw"));
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.post("/_matrix/client/v3/register?kind=guest", null, Map.of()).status()).isEqualTo(403);
        }
    }

    @DatabaseTest
    void registrationTokensFromTheAdminApiGateRegistration(Database db, DatabaseConfig storage) throws Exception {
        ClientApiSettings withTokens = new ClientApiSettings(true, true, false, Optional.empty(), RateLimiter.Limit.UNLIMITED,
                RateLimiter.Limit.UNLIMITED, ClientApiSettings.Turn.none());
        try (TestServer s = new TestServer(db, storage, withTokens)) {
            s.users.createAccount("admin", Optional.of("pw"), false, true);
            s.users.createAccount("plain", Optional.of("pw"), false, false);
            String admin = s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "admin",
                    "password", "pw")).text("access_token");
            String plain = s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "plain",
                    "password", "pw")).text("access_token");

            assertThat(s.post("/_synapse/admin/v1/registration_tokens/new", plain, Map.of()).status()).isEqualTo(403);
            assertThat(s.get("/_synapse/admin/v1/registration_tokens", null).errcode()).isEqualTo("M_MISSING_TOKEN");
            Response created = s.post("/_synapse/admin/v1/registration_tokens/new", admin, Map.of("uses_allowed", 1));
            assertThat(created.status()).isEqualTo(200);
            String token = created.text("token");
            assertThat(token).hasSize(16);
            assertThat(s.get("/_matrix/client/v1/register/m.login.registration_token/validity?token=" + token, null)
                    .body().path("valid").asBoolean()).isTrue();
            assertThat(s.get("/_matrix/client/v1/register/m.login.registration_token/validity?token=nope", null)
                    .body().path("valid").asBoolean()).isFalse();

            Response first = s.post("/_matrix/client/v3/register", null, Map.of("username", "newbie", "password", "pw"));
            assertThat(first.body().path("flows").get(0).path("stages").get(0).asString()).isEqualTo("m.login.registration_token");
            Response wrong = s.post("/_matrix/client/v3/register", null, Map.of("username", "newbie", "password", "pw",
                    "auth", Map.of("type", "m.login.registration_token", "token", "nope", "session", first.text("session"))));
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(wrong.text("session")).isEqualTo(first.text("session"));
            Response dummy = s.post("/_matrix/client/v3/register", null, Map.of("username", "newbie", "password", "pw",
                    "auth", Map.of("type", "m.login.dummy", "session", first.text("session"))));
            assertThat(dummy.status()).as("a stage the flows do not offer").isEqualTo(401);
            Response ok = s.post("/_matrix/client/v3/register", null, Map.of("username", "newbie", "password", "pw",
                    "auth", Map.of("type", "m.login.registration_token", "token", token, "session", first.text("session"))));
            assertThat(ok.status()).isEqualTo(200);

            Response shown = s.get("/_synapse/admin/v1/registration_tokens/" + token, admin);
            assertThat(shown.body().path("completed").asInt()).isEqualTo(1);
            assertThat(shown.body().path("pending").asInt()).isZero();
            assertThat(s.get("/_synapse/admin/v1/registration_tokens?valid=true", admin).body().path("registration_tokens").size()).isZero();
            Response again = s.post("/_matrix/client/v3/register", null, Map.of("username", "second", "password", "pw",
                    "auth", Map.of("type", "m.login.registration_token", "token", token)));
            assertThat(again.errcode()).as("the token is used up").isEqualTo("M_FORBIDDEN");
            assertThat(s.put("/_synapse/admin/v1/registration_tokens/" + token, admin, Map.of("uses_allowed", 5))
                    .body().path("uses_allowed").asInt()).isEqualTo(5);
            assertThat(s.post("/_synapse/admin/v1/registration_tokens/new", admin, Map.of("token", "bad token!")).errcode())
                    .isEqualTo("M_INVALID_PARAM");
            // a UIA session lives 15 minutes
            Response late = s.post("/_matrix/client/v3/register", null, Map.of("username", "late", "password", "pw"));
            s.clock.advance(java.time.Duration.ofMinutes(16));
            Response expired = s.post("/_matrix/client/v3/register", null, Map.of("username", "late", "password", "pw",
                    "auth", Map.of("type", "m.login.registration_token", "token", token, "session", late.text("session"))));
            assertThat(expired.status()).isEqualTo(400);
            assertThat(s.delete("/_synapse/admin/v1/registration_tokens/" + token, admin, null).status()).isEqualTo(200);
            assertThat(s.get("/_synapse/admin/v1/registration_tokens/" + token, admin).status()).isEqualTo(404);
        }
    }

    @DatabaseTest
    void sharedSecretRegistrationSpeaksSynapsesProtocol(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String nonce = s.get("/_synapse/admin/v1/register", null).text("nonce");
            String mac = SharedSecretRegistration.mac("s3cret", nonce, "root", "pw", true);
            Response bad = s.post("/_synapse/admin/v1/register", null, Map.of("nonce", nonce, "username", "root",
                    "password", "pw", "admin", false, "mac", mac));
            assertThat(bad.errcode()).isEqualTo("M_FORBIDDEN");
            nonce = s.get("/_synapse/admin/v1/register", null).text("nonce");
            mac = SharedSecretRegistration.mac("s3cret", nonce, "root", "pw", true);
            Response ok = s.post("/_synapse/admin/v1/register", null, Map.of("nonce", nonce, "username", "root",
                    "password", "pw", "admin", true, "mac", mac, "displayname", "Root"));
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.text("user_id")).isEqualTo("@root:test.local");
            String finalNonce = nonce;
            String finalMac = mac;
            Response replay = s.post("/_synapse/admin/v1/register", null, Map.of("nonce", finalNonce, "username", "root",
                    "password", "pw", "admin", true, "mac", finalMac));
            assertThat(replay.status()).as("a nonce works once").isEqualTo(400);
            assertThat(s.users.account("root").orElseThrow().isAdmin()).isTrue();
            assertThat(s.get("/_matrix/client/v3/profile/@root:test.local/displayname", null).text("displayname")).isEqualTo("Root");
        }
    }

    @DatabaseTest
    void logsInWithPasswordAndTokenAndLogsOut(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            s.registerToken("alice", "pw");
            Response flows = s.get("/_matrix/client/v3/login", null);
            assertThat(flows.body().path("flows").toString()).contains("m.login.password", "m.login.token");

            Response byIdentifier = s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password",
                    "identifier", Map.of("type", "m.id.user", "user", "@alice:test.local"), "password", "pw",
                    "device_id", "MYDEVICE"));
            assertThat(byIdentifier.status()).isEqualTo(200);
            assertThat(byIdentifier.text("device_id")).isEqualTo("MYDEVICE");
            Response deprecated = s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "alice",
                    "password", "pw"));
            assertThat(deprecated.status()).isEqualTo(200);
            assertThat(s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "alice",
                    "password", "nope")).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "@alice:elsewhere",
                    "password", "pw")).errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "alice"))
                    .errcode()).isEqualTo("M_MISSING_PARAM");
            assertThat(s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.magic")).errcode()).isEqualTo("M_UNKNOWN");
            assertThat(s.post("/_matrix/client/v3/login", null, Map.of("password", "pw")).errcode()).isEqualTo("M_MISSING_PARAM");

            String token = byIdentifier.text("access_token");
            Response challenge = s.post("/_matrix/client/v1/login/get_token", token, Map.of());
            assertThat(challenge.status()).isEqualTo(401);
            Response loginToken = s.post("/_matrix/client/v1/login/get_token", token,
                    Map.of("auth", TestServer.passwordAuth("alice", "pw", challenge.text("session"))));
            assertThat(loginToken.status()).isEqualTo(200);
            assertThat(loginToken.body().path("expires_in_ms").asLong()).isEqualTo(120_000);
            Response viaToken = s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.token",
                    "token", loginToken.text("login_token")));
            assertThat(viaToken.status()).isEqualTo(200);
            assertThat(viaToken.text("user_id")).isEqualTo("@alice:test.local");
            assertThat(s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.token",
                    "token", loginToken.text("login_token"))).errcode()).isEqualTo("M_FORBIDDEN");

            assertThat(s.post("/_matrix/client/v3/logout", token, Map.of()).status()).isEqualTo(200);
            Response after = s.get("/_matrix/client/v3/account/whoami", token);
            assertThat(after.status()).isEqualTo(401);
            assertThat(after.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
            assertThat(after.body().path("soft_logout").asBoolean()).isFalse();
            assertThat(s.get("/_matrix/client/v3/account/whoami", null).errcode()).isEqualTo("M_MISSING_TOKEN");
            assertThat(s.get("/_matrix/client/v3/account/whoami?access_token=" + viaToken.text("access_token"), null).status())
                    .as("the deprecated query parameter").isEqualTo(200);

            assertThat(s.post("/_matrix/client/v3/logout/all", viaToken.text("access_token"), Map.of()).status()).isEqualTo(200);
            assertThat(s.get("/_matrix/client/v3/account/whoami", deprecated.text("access_token")).status()).isEqualTo(401);
            assertThat(s.get("/_matrix/client/v3/devices", viaToken.text("access_token")).status()).isEqualTo(401);
            assertThat(s.users.devices("alice")).isEmpty();
        }
    }

    @DatabaseTest
    void refreshTokensRotateAndExpiredTokensAreSoftLoggedOut(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            s.registerToken("alice", "pw");
            Response login = s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "alice",
                    "password", "pw", "refresh_token", true));
            assertThat(login.body().path("expires_in_ms").asLong()).isEqualTo(300_000);
            String refresh = login.text("refresh_token");
            s.clock.advance(java.time.Duration.ofMinutes(6));
            Response expired = s.get("/_matrix/client/v3/account/whoami", login.text("access_token"));
            assertThat(expired.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
            assertThat(expired.body().path("soft_logout").asBoolean()).isTrue();
            Response refreshed = s.post("/_matrix/client/v3/refresh", null, Map.of("refresh_token", refresh));
            assertThat(refreshed.status()).isEqualTo(200);
            assertThat(refreshed.text("refresh_token")).isNotEqualTo(refresh);
            assertThat(s.get("/_matrix/client/v3/account/whoami", refreshed.text("access_token")).status()).isEqualTo(200);
            Response reused = s.post("/_matrix/client/v3/refresh", null, Map.of("refresh_token", refresh));
            assertThat(reused.status()).isEqualTo(401);
            assertThat(reused.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
            assertThat(s.post("/_matrix/client/v3/refresh", null, Map.of()).errcode()).isEqualTo("M_MISSING_PARAM");
            assertThat(List.of(login.text("device_id"))).containsExactly(refreshed.text("device_id"));
        }
    }
}
