package dev.myelin.clientapi.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.clientapi.routing.TestServer.Response;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.util.List;
import java.util.Map;

@DatabaseComponent("userapi")
class AccountAndDevicesTest {

    private static Response login(TestServer s, String user, String password) throws Exception {
        return s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", user, "password", password));
    }

    @DatabaseTest
    void changesPasswordBehindUiaAndLogsOutOtherDevices(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String first = s.registerToken("alice", "old");
            String other = login(s, "alice", "old").text("access_token");
            Response challenge = s.post("/_matrix/client/v3/account/password", first, Map.of("new_password", "new"));
            assertThat(challenge.status()).isEqualTo(401);
            assertThat(challenge.body().path("flows").get(0).path("stages").get(0).asString()).isEqualTo("m.login.password");
            Response wrong = s.post("/_matrix/client/v3/account/password", first, Map.of("new_password", "new",
                    "auth", TestServer.passwordAuth("alice", "bad", challenge.text("session"))));
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.errcode()).isEqualTo("M_FORBIDDEN");
            Response asOther = s.post("/_matrix/client/v3/account/password", first, Map.of("new_password", "new",
                    "auth", TestServer.passwordAuth("bob", "old", challenge.text("session"))));
            assertThat(asOther.errcode()).isEqualTo("M_FORBIDDEN");
            Response ok = s.post("/_matrix/client/v3/account/password", first, Map.of("new_password", "new",
                    "auth", TestServer.passwordAuth("alice", "old", challenge.text("session"))));
            assertThat(ok.status()).isEqualTo(200);
            assertThat(s.get("/_matrix/client/v3/account/whoami", first).status()).isEqualTo(200);
            assertThat(s.get("/_matrix/client/v3/account/whoami", other).errcode()).isEqualTo("M_UNKNOWN_TOKEN");
            assertThat(login(s, "alice", "old").errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(login(s, "alice", "new").status()).isEqualTo(200);
            assertThat(s.post("/_matrix/client/v3/account/password", first, Map.of()).errcode()).isEqualTo("M_MISSING_PARAM");
        }
    }

    @DatabaseTest
    void aSessionStartedForOneActionCannotAuthoriseAnother(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String token = s.registerToken("alice", "pw");
            String session = s.post("/_matrix/client/v3/account/password", token, Map.of("new_password", "x")).text("session");
            Response deactivate = s.post("/_matrix/client/v3/account/deactivate", token,
                    Map.of("auth", TestServer.passwordAuth("alice", "pw", session)));
            assertThat(deactivate.status()).isEqualTo(403);
            assertThat(s.get("/_matrix/client/v3/account/whoami", token).status()).isEqualTo(200);
        }
    }

    @DatabaseTest
    void deactivationEndsSessionsAndKeepsTheNameTaken(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String token = s.registerToken("alice", "pw");
            s.put("/_matrix/client/v3/profile/@alice:test.local/displayname", token, Map.of("displayname", "Alice"));
            Response done = s.post("/_matrix/client/v3/account/deactivate", token,
                    Map.of("erase", true, "auth", TestServer.passwordAuth("alice", "pw", null)));
            assertThat(done.status()).isEqualTo(200);
            assertThat(done.text("id_server_unbind_result")).isEqualTo("no-support");
            assertThat(s.get("/_matrix/client/v3/account/whoami", token).errcode()).isEqualTo("M_UNKNOWN_TOKEN");
            assertThat(login(s, "alice", "pw").errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(s.register("alice", "pw").errcode()).isEqualTo("M_USER_IN_USE");
            assertThat(s.get("/_matrix/client/v3/profile/@alice:test.local/displayname", null).status()).isEqualTo(404);
        }
    }

    @DatabaseTest
    void listsRenamesAndDeletesDevices(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String token = s.registerToken("alice", "pw");
            Response second = s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "alice",
                    "password", "pw", "device_id", "SECOND", "initial_device_display_name", "Phone"));
            Response third = s.post("/_matrix/client/v3/login", null, Map.of("type", "m.login.password", "user", "alice",
                    "password", "pw", "device_id", "THIRD"));
            Response list = s.get("/_matrix/client/v3/devices", token);
            assertThat(list.body().path("devices").size()).isEqualTo(3);
            Response one = s.get("/_matrix/client/v3/devices/SECOND", token);
            assertThat(one.text("display_name")).isEqualTo("Phone");
            assertThat(one.body().path("last_seen_ip").asString()).isEqualTo("127.0.0.1");
            assertThat(one.body().path("last_seen_ts").isNumber()).isTrue();
            assertThat(s.put("/_matrix/client/v3/devices/SECOND", token, Map.of("display_name", "Old phone")).status()).isEqualTo(200);
            assertThat(s.get("/_matrix/client/v3/devices/SECOND", token).text("display_name")).isEqualTo("Old phone");
            assertThat(s.put("/_matrix/client/v3/devices/SECOND", token, Map.of()).status()).isEqualTo(200);
            assertThat(s.get("/_matrix/client/v3/devices/SECOND", token).text("display_name")).as("unchanged").isEqualTo("Old phone");
            assertThat(s.get("/_matrix/client/v3/devices/NOPE", token).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.put("/_matrix/client/v3/devices/NOPE", token, Map.of("display_name", "x")).errcode()).isEqualTo("M_NOT_FOUND");

            Response challenge = s.delete("/_matrix/client/v3/devices/SECOND", token, Map.of());
            assertThat(challenge.status()).isEqualTo(401);
            assertThat(s.delete("/_matrix/client/v3/devices/SECOND", token,
                    Map.of("auth", TestServer.passwordAuth("alice", "pw", challenge.text("session")))).status()).isEqualTo(200);
            assertThat(s.get("/_matrix/client/v3/account/whoami", second.text("access_token")).errcode()).isEqualTo("M_UNKNOWN_TOKEN");

            Response bulk = s.post("/_matrix/client/v3/delete_devices", token, Map.of("devices", List.of("THIRD")));
            assertThat(bulk.status()).isEqualTo(401);
            assertThat(s.post("/_matrix/client/v3/delete_devices", token, Map.of("devices", List.of("THIRD"),
                    "auth", TestServer.passwordAuth("alice", "pw", bulk.text("session")))).status()).isEqualTo(200);
            assertThat(s.get("/_matrix/client/v3/account/whoami", third.text("access_token")).status()).isEqualTo(401);
            assertThat(s.get("/_matrix/client/v3/devices", token).body().path("devices").size()).isEqualTo(1);
            assertThat(s.post("/_matrix/client/v3/delete_devices", token, Map.of("devices", "THIRD")).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.post("/_matrix/client/v3/delete_devices", token, Map.of()).errcode()).isEqualTo("M_MISSING_PARAM");
        }
    }

    @DatabaseTest
    void answersTheSmallSettingsEndpoints(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String token = s.registerToken("alice", "pw");
            Response caps = s.get("/_matrix/client/v3/capabilities", token);
            assertThat(caps.body().path("capabilities").path("m.change_password").path("enabled").asBoolean()).isTrue();
            assertThat(caps.body().path("capabilities").path("m.room_versions").path("available").has("12")).isTrue();
            assertThat(caps.body().path("capabilities").path("m.profile_fields").path("enabled").asBoolean()).isTrue();
            assertThat(caps.body().path("capabilities").path("m.get_login_token").path("enabled").asBoolean()).isTrue();
            assertThat(s.get("/_matrix/client/v3/account/3pid", token).body().path("threepids").isArray()).isTrue();
            assertThat(s.post("/_matrix/client/v3/account/3pid/email/requestToken", token, Map.of()).errcode())
                    .isEqualTo("M_THREEPID_MEDIUM_NOT_SUPPORTED");
            assertThat(s.get("/_matrix/client/v3/pushers", token).body().path("pushers").size()).isZero();
            assertThat(s.get("/_matrix/client/v3/thirdparty/protocols", token).body().isObject()).isTrue();
            assertThat(s.get("/_matrix/client/v3/voip/turnServer", token).body().size()).isZero();
            Response openid = s.post("/_matrix/client/v3/user/@alice:test.local/openid/request_token", token, Map.of());
            assertThat(openid.text("token_type")).isEqualTo("Bearer");
            assertThat(openid.text("matrix_server_name")).isEqualTo("test.local");
            assertThat(s.users.openIdUser(openid.text("access_token"))).contains("@alice:test.local");
            assertThat(s.post("/_matrix/client/v3/user/@bob:test.local/openid/request_token", token, Map.of()).status())
                    .isEqualTo(403);
        }
    }

    @DatabaseTest
    void handsOutTurnCredentialsWhenConfigured(Database db, DatabaseConfig storage) throws Exception {
        ClientApiSettings open = TestServer.openSettings();
        ClientApiSettings withTurn = new ClientApiSettings(true, false, false, open.registrationSharedSecret(),
                open.loginLimit(), open.registrationLimit(), new ClientApiSettings.Turn(
                        List.of("turn:turn.example.org:3478?transport=udp"), java.util.Optional.of("turnsecret"),
                        java.time.Duration.ofHours(1)));
        try (TestServer s = new TestServer(db, storage, withTurn)) {
            String token = s.registerToken("alice", "pw");
            Response turn = s.get("/_matrix/client/v3/voip/turnServer", token);
            assertThat(turn.text("username")).endsWith(":@alice:test.local");
            assertThat(turn.body().path("ttl").asLong()).isEqualTo(3600);
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
            mac.init(new javax.crypto.spec.SecretKeySpec("turnsecret".getBytes(), "HmacSHA1"));
            assertThat(turn.text("password")).isEqualTo(
                    java.util.Base64.getEncoder().encodeToString(mac.doFinal(turn.text("username").getBytes())));
            assertThat(turn.body().path("uris").get(0).asString()).startsWith("turn:");
        }
    }
}
