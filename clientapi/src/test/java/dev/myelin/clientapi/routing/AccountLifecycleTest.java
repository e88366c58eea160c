package dev.myelin.clientapi.routing;

import static dev.myelin.clientapi.routing.RoomTestServer.enc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.clientapi.auth.SharedSecretRegistration;
import dev.myelin.clientapi.routing.TestServer.Response;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The end of an account and its loose ends, over HTTP on both dialects: deactivation (leaving rooms, erasure),
 * third-party identifiers, the UIA fallback pages, OpenID user info and the admin view of a user.
 */
@DatabaseComponent("userapi")
class AccountLifecycleTest {
    private static final String V3 = "/_matrix/client/v3";

    private static Map<String, Object> passwordAuth(String user, String password) {
        return Map.of("auth", TestServer.passwordAuth(user, password, null));
    }

    @DatabaseTest
    void deactivationLeavesEveryRoomAndRejectsInvites(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            String carol = s.register("carol");
            String room = s.post(V3 + "/createRoom", alice, Map.of("preset", "public_chat")).text("room_id");
            String invitedTo = s.post(V3 + "/createRoom", alice, Map.of("invite", List.of("@carol:test.local"))).text("room_id");
            s.post(V3 + "/join/" + enc(room), carol, Map.of());
            String said = s.put(V3 + "/rooms/" + enc(room) + "/send/m.room.message/c1", carol,
                    Map.of("msgtype", "m.text", "body", "kept")).text("event_id");
            s.put(V3 + "/profile/@carol:test.local/displayname", carol, Map.of("displayname", "Carol"));

            Response done = s.post(V3 + "/account/deactivate", carol, passwordAuth("carol", "pw-carol"));
            assertThat(done.status()).isEqualTo(200);
            assertThat(done.text("id_server_unbind_result")).isEqualTo("no-support");
            assertThat(s.get(V3 + "/rooms/" + enc(room) + "/state/m.room.member/" + enc("@carol:test.local"), alice)
                    .text("membership")).isEqualTo("leave");
            assertThat(s.get(V3 + "/rooms/" + enc(invitedTo) + "/state/m.room.member/" + enc("@carol:test.local"), alice)
                    .text("membership")).as("the invite is rejected").isEqualTo("leave");
            assertThat(s.rooms.joinedRooms("@carol:test.local")).isEmpty();
            // without erase, what carol said stays readable and her profile stays
            Response event = s.get(V3 + "/rooms/" + enc(room) + "/event/" + enc(said), alice);
            assertThat(event.body().path("content").path("body").asString()).isEqualTo("kept");
            assertThat(s.get(V3 + "/profile/@carol:test.local/displayname", alice).text("displayname")).isEqualTo("Carol");
            assertThat(s.users.account("carol").orElseThrow().erased()).isFalse();
        }
    }

    @DatabaseTest
    void aDeactivationInterruptedBeforeLeavingRoomsIsFinishedAtTheNextStart(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            String dave = s.register("dave");
            String room = s.post(V3 + "/createRoom", alice, Map.of("preset", "public_chat")).text("room_id");
            s.post(V3 + "/join/" + enc(room), dave, Map.of());
            s.users.deactivate("dave", false); // the account is closed, then the process "dies" before leaving
            assertThat(s.rooms.joinedRooms("@dave:test.local")).containsExactly(room);
            assertThat(s.users.usersLeavingRooms()).containsExactly("@dave:test.local");

            assertThat(ClientApi.resumeDeactivations(s.users, AccountRooms.of(s.rooms))).isEqualTo(1);
            assertThat(s.rooms.joinedRooms("@dave:test.local")).isEmpty();
            assertThat(s.users.usersLeavingRooms()).isEmpty();
            assertThat(ClientApi.resumeDeactivations(s.users, AccountRooms.of(s.rooms))).isZero();

            // a deactivation over HTTP leaves nothing pending
            String erin = s.register("erin");
            s.post(V3 + "/join/" + enc(room), erin, Map.of());
            assertThat(s.post(V3 + "/account/deactivate", erin, passwordAuth("erin", "pw-erin")).status()).isEqualTo(200);
            assertThat(s.users.usersLeavingRooms()).isEmpty();
        }
    }

    @DatabaseTest
    void erasureClearsTheProfileAndServesTheUsersEventsRedacted(DatabaseConfig config) throws Exception {
        try (RoomTestServer s = new RoomTestServer(config)) {
            String alice = s.register("alice");
            String bob = s.register("bob");
            s.put(V3 + "/profile/@bob:test.local/displayname", bob, Map.of("displayname", "Bobby"));
            s.put(V3 + "/profile/@bob:test.local/avatar_url", bob, Map.of("avatar_url", "mxc://test.local/bob"));
            String room = s.post(V3 + "/createRoom", alice, Map.of("preset", "public_chat")).text("room_id");
            String r = V3 + "/rooms/" + enc(room);
            s.post(V3 + "/join/" + enc(room), bob, Map.of());
            String joinId = s.get(r + "/state/m.room.member/" + enc("@bob:test.local") + "?format=event", alice).text("event_id");
            String secret = s.put(r + "/send/m.room.message/b1", bob, Map.of("msgtype", "m.text", "body", "my secret")).text("event_id");
            String alices = s.put(r + "/send/m.room.message/a1", alice, Map.of("msgtype", "m.text", "body", "hers")).text("event_id");
            s.put(V3 + "/user/@bob:test.local/account_data/org.example.x", bob, Map.of("k", 1));

            assertThat(s.post(V3 + "/account/deactivate", bob, Map.of("erase", "yes")).errcode()).isEqualTo("M_BAD_JSON");
            Response done = s.post(V3 + "/account/deactivate", bob,
                    Map.of("erase", true, "auth", TestServer.passwordAuth("bob", "pw-bob", null)));
            assertThat(done.status()).isEqualTo(200);
            assertThat(done.text("id_server_unbind_result")).isEqualTo("no-support");

            assertThat(s.users.isErased("@bob:test.local")).isTrue();
            assertThat(s.users.account("bob").orElseThrow().erased()).isTrue();
            assertThat(s.get(V3 + "/profile/@bob:test.local/displayname", alice).status()).isEqualTo(404);
            assertThat(s.get(V3 + "/profile/@bob:test.local/avatar_url", alice).status()).isEqualTo(404);
            assertThat(s.users.allAccountData("bob").getOrDefault("", Map.of())).doesNotContainKey("org.example.x");
            assertThat(s.users.devices("bob")).isEmpty();

            JsonNode erased = s.get(r + "/event/" + enc(secret), alice).body();
            assertThat(erased.path("sender").asString()).isEqualTo("@bob:test.local");
            assertThat(erased.path("content").isEmpty()).as("served redacted: %s", erased).isTrue();
            JsonNode join = s.get(r + "/event/" + enc(joinId), alice).body();
            assertThat(join.path("content").path("membership").asString()).isEqualTo("join");
            assertThat(join.path("content").has("displayname")).as("the name is gone from the old join").isFalse();
            assertThat(join.path("content").has("avatar_url")).isFalse();
            JsonNode leave = s.get(r + "/state/m.room.member/" + enc("@bob:test.local"), alice).body();
            assertThat(leave.path("membership").asString()).isEqualTo("leave");
            assertThat(leave.has("displayname")).isFalse();
            assertThat(s.get(r + "/event/" + enc(alices), alice).body().path("content").path("body").asString())
                    .as("other users' events are untouched").isEqualTo("hers");
        }
    }

    @DatabaseTest
    void deletesAndUnbindsThirdPartyIdentifiers(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String token = s.registerToken("alice", "pw");
            String other = s.registerToken("bob", "pw");
            db.write(c -> {
                try (var ps = c.prepareStatement("INSERT INTO threepids (localpart, medium, address, validated_at, added_at)"
                        + " VALUES (?, ?, ?, 1, 1)")) {
                    for (String[] row : new String[][] {{"alice", "email", "a@example.org"}, {"alice", "msisdn", "4411"},
                            {"bob", "email", "b@example.org"}}) {
                        ps.setString(1, row[0]);
                        ps.setString(2, row[1]);
                        ps.setString(3, row[2]);
                        ps.executeUpdate();
                    }
                }
                return null;
            });
            assertThat(s.get(V3 + "/account/3pid", token).body().path("threepids").size()).isEqualTo(2);

            Response unbind = s.post(V3 + "/account/3pid/unbind", token, Map.of("medium", "email", "address", "a@example.org"));
            assertThat(unbind.status()).isEqualTo(200);
            assertThat(unbind.text("id_server_unbind_result")).isEqualTo("no-support");
            assertThat(s.get(V3 + "/account/3pid", token).body().path("threepids").size()).as("unbind keeps it").isEqualTo(2);

            Response delete = s.post(V3 + "/account/3pid/delete", token,
                    Map.of("medium", "email", "address", "a@example.org", "id_server", "id.example.org"));
            assertThat(delete.status()).isEqualTo(200);
            assertThat(delete.text("id_server_unbind_result")).isEqualTo("no-support");
            JsonNode left = s.get(V3 + "/account/3pid", token).body().path("threepids");
            assertThat(left.size()).isEqualTo(1);
            assertThat(left.get(0).path("medium").asString()).isEqualTo("msisdn");
            // deleting another user's address does nothing to it
            assertThat(s.post(V3 + "/account/3pid/delete", token, Map.of("medium", "email", "address", "b@example.org"))
                    .status()).isEqualTo(200);
            assertThat(s.get(V3 + "/account/3pid", other).body().path("threepids").size()).isEqualTo(1);

            assertThat(s.post(V3 + "/account/3pid/delete", token, Map.of("medium", "email")).errcode()).isEqualTo("M_MISSING_PARAM");
            assertThat(s.post(V3 + "/account/3pid/delete", token, Map.of("medium", "fax", "address", "1")).errcode())
                    .isEqualTo("M_INVALID_PARAM");
            assertThat(s.post(V3 + "/account/3pid/unbind", token, Map.of("medium", 1, "address", "x")).errcode()).isEqualTo("M_BAD_JSON");
            assertThat(s.post(V3 + "/account/3pid/delete", token, "{nope").errcode()).isEqualTo("M_NOT_JSON");
            assertThat(s.post(V3 + "/account/3pid/delete", null, Map.of("medium", "email", "address", "x")).errcode())
                    .isEqualTo("M_MISSING_TOKEN");

            // deactivation removes what is left
            s.post(V3 + "/account/deactivate", token, passwordAuth("alice", "pw"));
            assertThat(s.users.threepids("alice")).isEmpty();
        }
    }

    @DatabaseTest
    void addingIdentifiersAnswersClearErrors(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String token = s.registerToken("alice", "pw");
            Map<String, Object> request = Map.of("client_secret", "c", "email", "a@example.org", "send_attempt", 1);
            for (String path : List.of("/account/3pid/email/requestToken", "/register/email/requestToken",
                    "/account/password/email/requestToken", "/account/3pid/msisdn/requestToken")) {
                Response r = s.post(V3 + path, token, request);
                assertThat(r.status()).as(path).isEqualTo(400);
                assertThat(r.errcode()).as(path).isEqualTo("M_THREEPID_MEDIUM_NOT_SUPPORTED");
            }
            Response add = s.post(V3 + "/account/3pid/add", token, Map.of("client_secret", "c", "sid", "s1"));
            assertThat(add.status()).isEqualTo(400);
            assertThat(add.errcode()).isEqualTo("M_THREEPID_AUTH_FAILED");
            assertThat(s.post(V3 + "/account/3pid/add", token, Map.of("client_secret", "c")).errcode()).isEqualTo("M_MISSING_PARAM");
            assertThat(s.post(V3 + "/account/3pid/add", null, Map.of("client_secret", "c", "sid", "s")).status()).isEqualTo(401);
            assertThat(s.post(V3 + "/account/3pid", token, Map.of("three_pid_creds", Map.of("client_secret", "c", "sid", "s")))
                    .errcode()).isEqualTo("M_THREEPID_AUTH_FAILED");
            assertThat(s.post(V3 + "/account/3pid", token, Map.of()).errcode()).isEqualTo("M_MISSING_PARAM");
            Response bind = s.post(V3 + "/account/3pid/bind", token, Map.of("client_secret", "c", "id_server", "id.example.org",
                    "id_access_token", "t", "sid", "s"));
            assertThat(bind.status()).isEqualTo(400);
            assertThat(bind.errcode()).isEqualTo("M_SERVER_NOT_TRUSTED");
            assertThat(s.post(V3 + "/account/3pid/bind", token, Map.of("sid", "s")).errcode()).isEqualTo("M_MISSING_PARAM");
        }
    }

    // ---- UIA fallback pages

    private static String form(String... pairs) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (!out.isEmpty()) out.append('&');
            out.append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    private static final String FORM = "application/x-www-form-urlencoded";

    @DatabaseTest
    void passwordFallbackPageCompletesTheStageForTheSessionsUser(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String alice = s.registerToken("alice", "pw");
            s.registerToken("mallory", "mpw");
            String session = s.post(V3 + "/account/deactivate", alice, Map.of()).text("session");
            String page = V3 + "/auth/m.login.password/fallback/web?session=" + session;

            HttpResponse<String> get = s.raw("GET", page, null, null);
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
            assertThat(get.headers().firstValue("X-Frame-Options")).contains("DENY");
            assertThat(get.body()).contains("<form method=\"post\"", "name=\"password\"", "value=\"" + session + "\"")
                    .doesNotContain("authDone");

            // another user's password does not prove alice
            HttpResponse<String> wrong = s.raw("POST", page, FORM, form("session", session, "password", "mpw"));
            assertThat(wrong.statusCode()).isEqualTo(403);
            assertThat(wrong.body()).contains("class=\"error\"", "name=\"password\"").doesNotContain("authDone");
            assertThat(s.post(V3 + "/account/deactivate", alice, Map.of("auth", Map.of("session", session))).status())
                    .as("the stage is not complete yet").isEqualTo(401);

            HttpResponse<String> right = s.raw("POST", page, FORM, form("session", session, "password", "pw"));
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(right.body()).contains("window.onAuthDone()", "window.opener.postMessage(\"authDone\", \"*\")");

            Response challenge = s.post(V3 + "/account/deactivate", alice, Map.of("auth", Map.of("session", session)));
            assertThat(challenge.status()).as("resubmitting with the session alone finishes: %s", challenge.body()).isEqualTo(200);
            assertThat(s.get(V3 + "/account/whoami", alice).errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        }
    }

    @DatabaseTest
    void registrationTokenAndDummyFallbackPagesCompleteRegistration(Database db, DatabaseConfig storage) throws Exception {
        ClientApiSettings open = TestServer.openSettings();
        ClientApiSettings tokenOnly = new ClientApiSettings(true, true, false, open.registrationSharedSecret(),
                open.loginLimit(), open.registrationLimit(), open.turn());
        try (TestServer s = new TestServer(db, storage, tokenOnly)) {
            s.users.createRegistrationToken(Optional.of("letmein"), 16, Optional.of(1), Optional.empty());
            Map<String, Object> body = Map.of("username", "newbie", "password", "pw");
            String session = s.post(V3 + "/register", null, body).text("session");
            String page = V3 + "/auth/m.login.registration_token/fallback/web?session=" + session;
            assertThat(s.raw("GET", page, null, null).body()).contains("name=\"token\"");
            HttpResponse<String> bad = s.raw("POST", page, FORM, form("token", "nope"));
            assertThat(bad.statusCode()).isEqualTo(403);
            assertThat(bad.body()).contains("invalid");
            HttpResponse<String> missing = s.raw("POST", page, FORM, "");
            assertThat(missing.statusCode()).isEqualTo(400);
            assertThat(s.raw("POST", page, FORM, form("token", "letmein")).body()).contains("authDone");
            Response registered = s.post(V3 + "/register", null, Map.of("username", "newbie", "password", "pw",
                    "auth", Map.of("session", session)));
            assertThat(registered.status()).as("%s", registered.body()).isEqualTo(200);
            assertThat(registered.text("user_id")).isEqualTo("@newbie:test.local");
            assertThat(s.users.registrationToken("letmein").orElseThrow().completed()).isEqualTo(1);

            // a stage the session does not offer, a stage with no page, a session that does not exist
            String other = s.post(V3 + "/register", null, Map.of("username", "second", "password", "pw")).text("session");
            HttpResponse<String> dummy = s.raw("POST", V3 + "/auth/m.login.dummy/fallback/web?session=" + other, FORM, "");
            assertThat(dummy.statusCode()).isEqualTo(400);
            assertThat(dummy.body()).contains("M_UNRECOGNIZED");
            assertThat(s.get(V3 + "/auth/m.login.recaptcha/fallback/web?session=" + other, null).errcode()).isEqualTo("M_UNRECOGNIZED");
            assertThat(s.get(V3 + "/auth/m.login.password/fallback/web?session=nope", null).errcode()).isEqualTo("M_UNKNOWN");
            assertThat(s.get(V3 + "/auth/m.login.password/fallback/web", null).errcode()).isEqualTo("M_MISSING_PARAM");
            // the token is used up now, also through the r0 path
            assertThat(s.raw("POST", "/_matrix/client/r0/auth/m.login.registration_token/fallback/web", FORM,
                    form("session", other, "token", "letmein")).statusCode()).as("used up").isEqualTo(403);
        }
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String session = s.post(V3 + "/register", null, Map.of("username", "dummy", "password", "pw")).text("session");
            HttpResponse<String> page = s.raw("GET", V3 + "/auth/m.login.dummy/fallback/web?session=" + session, null, null);
            assertThat(page.body()).contains("<button").doesNotContain("name=\"password\"");
            assertThat(s.raw("POST", V3 + "/auth/m.login.dummy/fallback/web?session=" + session, FORM, "").body()).contains("authDone");
            assertThat(s.post(V3 + "/register", null, Map.of("username", "dummy", "password", "pw",
                    "auth", Map.of("session", session))).status()).isEqualTo(200);
        }
    }

    // ---- OpenID over federation, the admin view of a user

    @DatabaseTest
    void openIdUserInfoNamesTheTokensUser(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String token = s.registerToken("alice", "pw");
            String openId = s.post(V3 + "/user/@alice:test.local/openid/request_token", token, Map.of()).text("access_token");
            Response info = s.get("/_matrix/federation/v1/openid/userinfo?access_token=" + openId, null);
            assertThat(info.status()).isEqualTo(200);
            assertThat(info.body().size()).isEqualTo(1);
            assertThat(info.text("sub")).isEqualTo("@alice:test.local");

            Response wrong = s.get("/_matrix/federation/v1/openid/userinfo?access_token=nope", null);
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
            assertThat(s.get("/_matrix/federation/v1/openid/userinfo?access_token=" + token, null).errcode())
                    .as("a client access token is not an OpenID token").isEqualTo("M_UNKNOWN_TOKEN");
            assertThat(s.get("/_matrix/federation/v1/openid/userinfo", null).status()).isEqualTo(401);

            s.clock.advance(java.time.Duration.ofMillis(SettingsRoutes.OPENID_LIFETIME_MS + 1));
            assertThat(s.get("/_matrix/federation/v1/openid/userinfo?access_token=" + openId, null).errcode())
                    .as("expired").isEqualTo("M_UNKNOWN_TOKEN");
            String fresh = s.post(V3 + "/user/@alice:test.local/openid/request_token", token, Map.of()).text("access_token");
            s.post(V3 + "/account/deactivate", token, passwordAuth("alice", "pw"));
            assertThat(s.get("/_matrix/federation/v1/openid/userinfo?access_token=" + fresh, null).errcode())
                    .as("deactivation ends OpenID tokens too").isEqualTo("M_UNKNOWN_TOKEN");
        }
    }

    @DatabaseTest
    void sharedSecretRegistrationStoresTheUserTypeTheAdminApiShows(Database db, DatabaseConfig storage) throws Exception {
        try (TestServer s = new TestServer(db, storage, TestServer.openSettings())) {
            String nonce = s.get("/_synapse/admin/v1/register", null).text("nonce");
            String mac = SharedSecretRegistration.mac("s3cret", nonce, "helper", "pw", false, Optional.of("bot"));
            Response bot = s.post("/_synapse/admin/v1/register", null, Map.of("nonce", nonce, "username", "helper",
                    "password", "pw", "admin", false, "user_type", "bot", "mac", mac));
            assertThat(bot.status()).isEqualTo(200);
            nonce = s.get("/_synapse/admin/v1/register", null).text("nonce");
            mac = SharedSecretRegistration.mac("s3cret", nonce, "root", "pw", true);
            String admin = s.post("/_synapse/admin/v1/register", null, Map.of("nonce", nonce, "username", "root",
                    "password", "pw", "admin", true, "mac", mac)).text("access_token");
            nonce = s.get("/_synapse/admin/v1/register", null).text("nonce");
            mac = SharedSecretRegistration.mac("s3cret", nonce, "odd", "pw", false, Optional.of("wizard"));
            assertThat(s.post("/_synapse/admin/v1/register", null, Map.of("nonce", nonce, "username", "odd",
                    "password", "pw", "admin", false, "user_type", "wizard", "mac", mac)).errcode()).isEqualTo("M_INVALID_PARAM");

            Response helper = s.get("/_synapse/admin/v2/users/" + enc("@helper:test.local"), admin);
            assertThat(helper.status()).isEqualTo(200);
            assertThat(helper.text("name")).isEqualTo("@helper:test.local");
            assertThat(helper.text("user_type")).isEqualTo("bot");
            assertThat(helper.body().path("admin").asBoolean()).isFalse();
            assertThat(helper.body().path("deactivated").asBoolean()).isFalse();
            assertThat(helper.body().path("erased").asBoolean()).isFalse();
            Response root = s.get("/_synapse/admin/v2/users/" + enc("@root:test.local"), admin);
            assertThat(root.body().path("user_type").isNull()).isTrue();
            assertThat(root.body().path("admin").asBoolean()).isTrue();

            String plain = s.registerToken("plain", "pw");
            s.put(V3 + "/profile/@plain:test.local/displayname", plain, Map.of("displayname", "Plain"));
            assertThat(s.get("/_synapse/admin/v2/users/" + enc("@plain:test.local"), admin).text("displayname")).isEqualTo("Plain");
            s.post(V3 + "/account/deactivate", plain, Map.of("erase", true, "auth", TestServer.passwordAuth("plain", "pw", null)));
            Response gone = s.get("/_synapse/admin/v2/users/" + enc("@plain:test.local"), admin);
            assertThat(gone.body().path("deactivated").asBoolean()).isTrue();
            assertThat(gone.body().path("erased").asBoolean()).isTrue();
            assertThat(gone.body().path("displayname").isNull()).isTrue();

            assertThat(s.get("/_synapse/admin/v2/users/" + enc("@helper:test.local"), bot.text("access_token")).errcode())
                    .isEqualTo("M_FORBIDDEN");
            assertThat(s.get("/_synapse/admin/v2/users/" + enc("@nobody:test.local"), admin).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.get("/_synapse/admin/v2/users/" + enc("@x:elsewhere.example"), admin).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(s.get("/_synapse/admin/v2/users/notauser", admin).errcode()).isEqualTo("M_INVALID_PARAM");
        }
    }
}
