package dev.myelin.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.config.ConfigLoader;
import dev.myelin.platform.config.MyelinConfig;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Dialect;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.protocol.crypto.SigningKey;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The account features that cross components, in the wired server on both dialects: account data reaching a
 * waiting {@code /sync} through the {@code OutputClientData} stream, an erased user's events served redacted by
 * sync ({@code /sync}, {@code /messages}) as by the roomserver, and the OpenID user info and fallback pages on the
 * main listener.
 */
class AccountsServerTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static MyelinConfig config(DatabaseConfig storage) throws Exception {
        Path dataDir = storage.dialect() == Dialect.SQLITE ? storage.sqliteDirectory() : Files.createTempDirectory("myelin-acc");
        MyelinConfig c = ConfigLoader.parse("rate_limits:\n  enabled: false\n", "test", Map.of("server_name", "acc.test",
                "listen", "127.0.0.1:" + freePort(), "data_dir", dataDir.toString()));
        // why: the test fixture's storage (a fresh SQLite folder or PostgreSQL schemas) replaces the configured one
        return c.withDatabase(storage);
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private record Response(int status, JsonNode body) {
        String text(String field) { return body.path(field).asString(); }
    }

    private Response call(URI base, String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) request.header("Authorization", "Bearer " + token);
        String text = body == null ? null : JSON.writeValueAsString(body);
        request.method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
    }

    private String register(URI base, String user) throws Exception {
        Map<String, Object> body = Map.of("username", user, "password", "pw-" + user);
        String session = call(base, "POST", "/_matrix/client/v3/register", null, body).text("session");
        Response done = call(base, "POST", "/_matrix/client/v3/register", null, Map.of("username", user, "password", "pw-" + user,
                "auth", Map.of("type", "m.login.dummy", "session", session)));
        assertThat(done.status()).as("%s", done.body()).isEqualTo(200);
        return done.text("access_token");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonNode find(JsonNode events, String eventId) {
        for (JsonNode e : events) if (eventId.equals(e.path("event_id").asString())) return e;
        throw new AssertionError(eventId + " not in " + events);
    }

    @DatabaseTest
    void accountDataWakesSyncAndErasedEventsAreServedRedactedEverywhere(DatabaseConfig storage) throws Exception {
        try (MyelinServer server = MyelinServer.start(config(storage), SigningKey.generate(new SecureRandom()),
                EnumSet.allOf(Component.class))) {
            URI base = server.http().uri(0);
            String alice = register(base, "alice");
            String bob = register(base, "bob");
            call(base, "PUT", "/_matrix/client/v3/profile/@bob:acc.test/displayname", bob, Map.of("displayname", "Bobby"));
            String room = call(base, "POST", "/_matrix/client/v3/createRoom", alice, Map.of("preset", "public_chat")).text("room_id");
            String r = "/_matrix/client/v3/rooms/" + enc(room);
            assertThat(call(base, "POST", "/_matrix/client/v3/join/" + enc(room), bob, Map.of()).status()).isEqualTo(200);
            String secret = call(base, "PUT", r + "/send/m.room.message/t1", bob, Map.of("msgtype", "m.text", "body", "my secret"))
                    .text("event_id");

            // account data written while alice's /sync waits wakes it through the OutputClientData stream
            String since = call(base, "GET", "/_matrix/client/v3/sync?timeout=0", alice, null).text("next_batch");
            long started = System.nanoTime();
            CompletableFuture<Response> poll = CompletableFuture.supplyAsync(() -> {
                try {
                    // why a loop: the poll may first return with earlier news (bob's message being indexed)
                    String from = since;
                    while (true) {
                        Response got = call(base, "GET", "/_matrix/client/v3/sync?timeout=30000&since=" + enc(from), alice, null);
                        if (got.body().path("account_data").path("events").toString().contains("org.example.woken")) return got;
                        from = got.text("next_batch");
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            call(base, "PUT", "/_matrix/client/v3/user/@alice:acc.test/account_data/org.example.woken", alice, Map.of("v", 1));
            Response woken = poll.get(40, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).as("woken, not timed out").isLessThan(25);
            assertThat(woken.body().path("account_data").path("events").toString()).contains("org.example.woken");

            // bob deactivates with erasure: alice is served his events redacted, by sync as by the roomserver
            String beforeErase = call(base, "GET", "/_matrix/client/v3/sync?timeout=0", alice, null).text("next_batch");
            Response deactivated = call(base, "POST", "/_matrix/client/v3/account/deactivate", bob, Map.of("erase", true,
                    "auth", Map.of("type", "m.login.password", "identifier", Map.of("type", "m.id.user", "user", "bob"),
                            "password", "pw-bob")));
            assertThat(deactivated.status()).as("%s", deactivated.body()).isEqualTo(200);

            JsonNode messages = call(base, "GET", r + "/messages?dir=b&limit=50", alice, null).body().path("chunk");
            assertThat(find(messages, secret).path("content").isEmpty()).as("/messages: %s", messages).isTrue();
            assertThat(call(base, "GET", r + "/event/" + enc(secret), alice, null).body().path("content").isEmpty()).isTrue();
            JsonNode timeline = call(base, "GET", "/_matrix/client/v3/sync?timeout=0", alice, null).body()
                    .path("rooms").path("join").path(room).path("timeline").path("events");
            boolean sawLeave = false;
            for (JsonNode e : timeline) {
                if (e.path("event_id").asString().equals(secret)) assertThat(e.path("content").isEmpty()).as("/sync: %s", e).isTrue();
                if (e.path("type").asString().equals("m.room.member") && e.path("state_key").asString().equals("@bob:acc.test")) {
                    assertThat(e.path("content").has("displayname")).as("/sync: %s", e).isFalse();
                }
            }
            JsonNode incremental = call(base, "GET", "/_matrix/client/v3/sync?timeout=10000&since=" + enc(beforeErase), alice, null)
                    .body().path("rooms").path("join").path(room).path("timeline").path("events");
            for (JsonNode e : incremental) {
                if (e.path("type").asString().equals("m.room.member") && e.path("state_key").asString().equals("@bob:acc.test")) {
                    sawLeave |= e.path("content").path("membership").asString().equals("leave");
                }
            }
            assertThat(sawLeave).as("the leave reaches alice's sync: %s", incremental).isTrue();

            // OpenID user info and the fallback pages sit on the main listener
            String openId = call(base, "POST", "/_matrix/client/v3/user/@alice:acc.test/openid/request_token", alice, Map.of())
                    .text("access_token");
            assertThat(call(base, "GET", "/_matrix/federation/v1/openid/userinfo?access_token=" + enc(openId), null, null)
                    .text("sub")).isEqualTo("@alice:acc.test");
            String session = call(base, "POST", "/_matrix/client/v3/account/password", alice, Map.of("new_password", "x"))
                    .text("session");
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(base.resolve(
                    "/_matrix/client/v3/auth/m.login.password/fallback/web?session=" + session)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("name=\"password\"");
        }
    }
}
