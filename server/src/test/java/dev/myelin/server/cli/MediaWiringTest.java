package dev.myelin.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.config.ConfigException;
import dev.myelin.platform.config.ConfigLoader;
import dev.myelin.platform.config.ConfigTemplate;
import dev.myelin.platform.config.MyelinConfig;
import dev.myelin.server.MyelinServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The media repository inside the real server: the media: section, the store under data_dir, real access tokens. */
class MediaWiringTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private HttpResponse<byte[]> send(URI uri, String method, String token, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode json(HttpResponse<byte[]> r) {
        return JSON.readTree(r.body());
    }

    @Test
    void uploadsWithARealAccessTokenIntoTheDataDirectory() throws Exception {
        Path data = dir.resolve("data");
        Path config = dir.resolve("myelin.yaml");
        Files.writeString(config, """
                server_name: media.example
                media:
                  max_upload_size: 64KiB
                  thumbnail_sizes: ["32x32 crop"]
                """);
        CommandLine cli = MyelinCommand.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        RunCommand run = cli.getSubcommands().get("run").getCommand();
        run.workingDir = dir;
        int port = freePort();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("run", "--config", config.toString(),
                "--data-dir", data.toString(), "--listen", "127.0.0.1:" + port));
        MyelinServer server = run.ready().get(30, TimeUnit.SECONDS);
        try {
            URI base = server.http().uri(0);
            var first = send(base.resolve("/_matrix/client/v3/register"), "POST", null, "{}".getBytes());
            String session = json(first).path("session").asString();
            var registered = send(base.resolve("/_matrix/client/v3/register"), "POST", null, JSON.writeValueAsBytes(Map.of(
                    "username", "alice", "password", "pw", "auth", Map.of("type", "m.login.dummy", "session", session))));
            assertThat(registered.statusCode()).isEqualTo(200);
            String token = json(registered).path("access_token").asString();

            byte[] bytes = "hello, media".getBytes();
            var upload = send(base.resolve("/_matrix/media/v3/upload?filename=hello.txt"), "POST", token, bytes);
            assertThat(upload.statusCode()).isEqualTo(200);
            String mxc = json(upload).path("content_uri").asString();
            assertThat(mxc).startsWith("mxc://media.example/");
            String path = mxc.substring("mxc://".length());

            var download = send(base.resolve("/_matrix/client/v1/media/download/" + path), "GET", token, null);
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.body()).isEqualTo(bytes);
            assertThat(send(base.resolve("/_matrix/client/v1/media/download/" + path), "GET", "wrong", null).statusCode()).isEqualTo(401);
            assertThat(send(base.resolve("/_matrix/media/v3/download/" + path), "GET", null, null).statusCode())
                    .as("frozen by default").isEqualTo(404);
            assertThat(json(send(base.resolve("/_matrix/client/v1/media/config"), "GET", token, null)).path("m.upload.size").asLong())
                    .isEqualTo(64 * 1024);
            assertThat(send(base.resolve("/_matrix/media/v3/upload"), "POST", token, new byte[65 * 1024]).statusCode()).isEqualTo(413);
            try (Stream<Path> files = Files.walk(data.resolve("media").resolve("sha256"))) {
                assertThat(files.filter(Files::isRegularFile).count()).isEqualTo(1);
            }
        } finally {
            run.requestStop();
        }
        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void mediaSectionIsReadValidatedAndTemplated() {
        MyelinConfig c = ConfigLoader.parse("""
                media:
                  max_upload_size: 10MiB
                  user_quota: 1GiB
                  legacy_endpoints: open
                  legacy_freeze_at: 2024-09-01T00:00:00Z
                  url_preview:
                    enabled: true
                    allow_ip_ranges: ["192.168.1.0/24"]
                """, "t", Map.of());
        assertThat(c.media().maxUploadSize()).isEqualTo(10L << 20);
        assertThat(c.media().userQuota()).isEqualTo(1L << 30);
        assertThat(c.media().legacyEndpoints()).isEqualTo("open");
        assertThat(c.media().urlPreview().enabled()).isTrue();
        assertThat(c.media().urlPreview().allowIpRanges()).isEqualTo(List.of("192.168.1.0/24"));
        assertThat(ConfigLoader.parse(ConfigTemplate.render(c), "t", Map.of())).isEqualTo(c);
        assertThat(ConfigTemplate.render(MyelinConfig.defaults())).contains("media:", "legacy_endpoints: frozen", "url_preview:");

        assertThatThrownBy(() -> ConfigLoader.parse("media:\n  legacy_endpoints: maybe\n", "t", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("media.legacy_endpoints");
        assertThatThrownBy(() -> ConfigLoader.parse("media:\n  legacy_freeze_at: yesterday\n", "t", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("media.legacy_freeze_at");
        assertThatThrownBy(() -> ConfigLoader.parse("media:\n  max_upload_size: lots\n", "t", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("media.max_upload_size");
        assertThatThrownBy(() -> ConfigLoader.parse("media:\n  thumbnail_size: []\n", "t", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("media.thumbnail_size");
    }

    @Test
    void badThumbnailSizesOrIpRangesStopTheStartWithTheKeyNamed() throws Exception {
        for (String yaml : List.of("media:\n  thumbnail_sizes: [\"32 by 32\"]\n",
                "media:\n  url_preview:\n    enabled: true\n    deny_ip_ranges: [\"not-a-range\"]\n")) {
            Path config = dir.resolve("bad.yaml");
            Files.writeString(config, yaml);
            CommandLine cli = MyelinCommand.commandLine();
            StringWriter err = new StringWriter();
            cli.setOut(new PrintWriter(new StringWriter(), true));
            cli.setErr(new PrintWriter(err, true));
            RunCommand run = cli.getSubcommands().get("run").getCommand();
            run.workingDir = dir;
            int code = cli.execute("run", "--config", config.toString(), "--data-dir", dir.resolve("d").toString(),
                    "--listen", "127.0.0.1:" + freePort());
            assertThat(code).as(yaml).isEqualTo(1);
            assertThat(err.toString()).as(yaml).contains("media.");
        }
    }
}
