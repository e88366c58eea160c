package dev.myelin.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.server.MyelinServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Syncapi's switches inside the real server: presence on (its changes over the ephemeral stream, in process or over
 * NATS) and off (as Synapse answers), and the user directory's scope.
 */
class SyncWiringTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private HttpResponse<String> send(URI uri, String method, String token, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String register(URI base, String name) throws Exception {
        String session = JSON.readTree(send(base.resolve("/_matrix/client/v3/register"), "POST", null, Map.of()).body())
                .path("session").asString();
        HttpResponse<String> r = send(base.resolve("/_matrix/client/v3/register"), "POST", null, Map.of("username", name,
                "password", "pw", "auth", Map.of("type", "m.login.dummy", "session", session)));
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body()).path("access_token").asString();
    }

    /** Runs the server with {@code yaml}, then {@code body} against its base URI. */
    private void withServer(String yaml, ThrowingConsumer<URI> body) throws Exception {
        Path config = dir.resolve("myelin.yaml");
        Files.writeString(config, yaml);
        CommandLine cli = MyelinCommand.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        RunCommand run = cli.getSubcommands().get("run").getCommand();
        run.workingDir = dir;
        int port = freePort();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("run", "--config", config.toString(),
                "--data-dir", dir.resolve("data").toString(), "--listen", "127.0.0.1:" + port));
        MyelinServer server = run.ready().get(30, TimeUnit.SECONDS);
        try {
            body.accept(server.http().uri(0));
        } finally {
            run.requestStop();
        }
        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    }

    @FunctionalInterface
    private interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }

    private static String status(String userId) {
        return "/_matrix/client/v3/presence/" + URLEncoder.encode(userId, StandardCharsets.UTF_8) + "/status";
    }

    /** Alice's long poll is woken by bob's presence in their shared room. */
    private void presenceReachesARoomMate(URI base) throws Exception {
        String alice = register(base, "alice");
        String bob = register(base, "bob");
        String room = JSON.readTree(send(base.resolve("/_matrix/client/v3/createRoom"), "POST", alice,
                Map.of("preset", "public_chat")).body()).path("room_id").asString();
        assertThat(send(base.resolve("/_matrix/client/v3/join/" + URLEncoder.encode(room, StandardCharsets.UTF_8)), "POST",
                bob, Map.of()).statusCode()).isEqualTo(200);
        // why: with JetStream the join reaches sync's index a moment after the 200; start from a token that has it
        String next = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            JsonNode r = JSON.readTree(send(base.resolve("/_matrix/client/v3/sync?set_presence=offline"), "GET", alice, null).body());
            next = r.path("next_batch").asString();
            if (r.path("rooms").path("join").path(room).toString().contains("@bob:sync.example")) break;
            Thread.sleep(20);
        }
        CompletableFuture<HttpResponse<String>> poll = client.sendAsync(HttpRequest.newBuilder(base.resolve(
                        "/_matrix/client/v3/sync?set_presence=offline&timeout=20000&since=" + next))
                .header("Authorization", "Bearer " + alice).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);
        assertThat(send(base.resolve(status("@bob:sync.example")), "PUT", bob,
                Map.of("presence", "unavailable", "status_msg", "lunch")).statusCode()).isEqualTo(200);
        JsonNode woken = JSON.readTree(poll.get(15, TimeUnit.SECONDS).body());
        // why: the poll may first wake for something else about bob's join (his devices in device_lists)
        for (int i = 0; i < 3 && !woken.path("presence").toString().contains("@bob:sync.example"); i++) {
            woken = JSON.readTree(send(base.resolve("/_matrix/client/v3/sync?set_presence=offline&timeout=5000&since="
                    + woken.path("next_batch").asString()), "GET", alice, null).body());
        }
        assertThat(woken.path("presence").toString()).contains("@bob:sync.example", "unavailable", "lunch");
        assertThat(JSON.readTree(send(base.resolve(status("@bob:sync.example")), "GET", alice, null).body())
                .path("status_msg").asString()).isEqualTo("lunch");
    }

    @Test
    void presenceWorksInTheEmbeddedShape() throws Exception {
        withServer("server_name: sync.example\n", this::presenceReachesARoomMate);
    }

    @Test
    void presenceGoesOverNatsWithJetStream() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", 4222), 1000);
        } catch (java.io.IOException e) {
            if ("1".equals(System.getenv("MYELIN_REQUIRE_SERVICES"))) throw new AssertionError("NATS is not reachable", e);
            Assumptions.abort("NATS is not reachable at 127.0.0.1:4222: skipping");
        }
        withServer("""
                server_name: sync.example
                streams:
                  kind: jetstream
                  prefix: sw%d
                """.formatted(System.nanoTime()), this::presenceReachesARoomMate);
    }

    @Test
    void presenceOffAnswersLikeSynapseAndTheDirectoryCanListEveryone() throws Exception {
        withServer("""
                server_name: sync.example
                presence:
                  enabled: false
                user_directory:
                  search_all_users: true
                """, base -> {
            String alice = register(base, "alice");
            register(base, "zed");
            assertThat(send(base.resolve(status("@alice:sync.example")), "PUT", alice, Map.of("presence", "online"))
                    .statusCode()).isEqualTo(200);
            assertThat(send(base.resolve(status("@alice:sync.example")), "GET", alice, null).body())
                    .isEqualTo("{\"presence\":\"offline\"}");
            assertThat(JSON.readTree(send(base.resolve("/_matrix/client/v3/sync"), "GET", alice, null).body()).has("presence"))
                    .isFalse();
            JsonNode found = JSON.readTree(send(base.resolve("/_matrix/client/v3/user_directory/search"), "POST", alice,
                    Map.of("search_term", "zed")).body());
            assertThat(found.path("results").toString()).contains("@zed:sync.example");
        });
    }
}
