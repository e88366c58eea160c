package dev.myelin.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Databases;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real server in a child JVM, killed with kill -9 while clients send to a room: after a restart every event
 * that got a 200 is there, and the room takes new events (nothing half-written).
 */
class RoomsCrashTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    @TempDir Path dir;

    @Test
    void everyAcknowledgedEventSurvivesKillNine() throws Exception {
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        Process server = start(port);
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        String room;
        String token;
        try {
            awaitUp(base, server);
            token = register(base, "crash");
            room = post(base + "/_matrix/client/v3/createRoom", token, "{\"name\":\"crash\"}").path("room_id").asString();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                String t = token;
                clients.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        try {
                            HttpResponse<String> r = send("PUT", base + "/_matrix/client/v3/rooms/" + enc(room)
                                    + "/send/m.room.message/c" + client + "-" + i, t, "{\"msgtype\":\"m.text\",\"body\":\"" + i + "\"}");
                            if (r.statusCode() == 200) acknowledged.add(JSON.readTree(r.body()).path("event_id").asString());
                        } catch (Exception e) {
                            return; // the server died under us
                        }
                    }
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (acknowledged.size() < 150 && System.nanoTime() < deadline) Thread.sleep(5);
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
            stop.set(true);
            for (Thread t : clients) t.join(5_000);
        } finally {
            server.destroyForcibly();
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(150);

        Process again = start(port);
        try {
            awaitUp(base, again);
            String t2 = post(base + "/_matrix/client/v3/login", null,
                    "{\"type\":\"m.login.password\",\"user\":\"crash\",\"password\":\"pw-crash\"}").path("access_token").asString();
            for (String eventId : acknowledged) {
                HttpResponse<String> r = send("GET", base + "/_matrix/client/v3/rooms/" + enc(room) + "/event/" + enc(eventId), t2, null);
                assertThat(r.statusCode()).as("event %s acknowledged before the kill", eventId).isEqualTo(200);
            }
            HttpResponse<String> after = send("PUT", base + "/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/after",
                    t2, "{\"body\":\"after the crash\"}");
            assertThat(after.statusCode()).isEqualTo(200);
            assertThat(send("GET", base + "/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.name", t2, null).body())
                    .contains("crash");
        } finally {
            again.destroyForcibly();
            again.waitFor(10, TimeUnit.SECONDS);
        }
        // nothing half-written: every stored event got exactly one OutputRoomEvent record in its transaction, in
        // order. why: consumed records are pruned from the outbox (sync consumes them), so the stream head must count
        // every stored event, and the records still in the outbox must be the newest stored events, in order.
        try (Database db = Databases.open(DatabaseConfig.sqlite(dir.resolve("data")), "roomserver")) {
            List<String> stored = db.read(c -> ids(c, "SELECT event_id FROM roomserver_events ORDER BY event_nid"));
            long head = db.read(c -> {
                try (var ps = c.prepareStatement("SELECT position FROM stream_head WHERE stream = 'OutputRoomEvent'");
                        var rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            });
            List<String> unpruned = db.read(c -> ids(c, "SELECT payload FROM stream_outbox WHERE stream = 'OutputRoomEvent' ORDER BY position"))
                    .stream().map(p -> JSON.readTree(p).path("eventId").asString()).toList();
            assertThat(head).as("OutputRoomEvent records ever appended").isEqualTo(stored.size());
            assertThat(unpruned).isEqualTo(stored.subList(stored.size() - unpruned.size(), stored.size()));
            assertThat(stored).containsAll(acknowledged);
        }
    }

    private static List<String> ids(java.sql.Connection c, String sql) throws java.sql.SQLException {
        List<String> out = new ArrayList<>();
        try (var ps = c.prepareStatement(sql); var rs = ps.executeQuery()) {
            while (rs.next()) out.add(new String(rs.getBytes(1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private Process start(int port) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--data-dir", dir.resolve("data").toString(),
                "--listen", "127.0.0.1:" + port, "--server-name", "crash.test");
        return new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("server.out").toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("server.err").toFile()))
                .start();
    }

    private void awaitUp(String base, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new AssertionError("server exited with " + p.exitValue() + "; see " + dir.resolve("server.err"));
            try {
                if (send("GET", base + "/_matrix/client/versions", null, null).statusCode() == 200) return;
            } catch (Exception e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("server did not start");
    }

    private String register(String base, String user) throws Exception {
        String body = "{\"username\":\"" + user + "\",\"password\":\"pw-" + user + "\"}";
        HttpResponse<String> first = send("POST", base + "/_matrix/client/v3/register", null, body);
        String session = JSON.readTree(first.body()).path("session").asString();
        return post(base + "/_matrix/client/v3/register", null, "{\"username\":\"" + user + "\",\"password\":\"pw-" + user
                + "\",\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}}").path("access_token").asString();
    }

    private JsonNode post(String url, String token, String body) throws Exception {
        HttpResponse<String> r = send("POST", url, token, body);
        if (r.statusCode() != 200) throw new AssertionError(url + " answered " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> send(String method, String url, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) b.header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
