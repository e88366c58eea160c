package dev.myelin.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.config.ConfigLoader;
import dev.myelin.platform.config.MyelinConfig;
import dev.myelin.platform.http.SelfSignedCertificate;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.server.Component;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    @TempDir Path dir;

    /** One in-process invocation of the command line, with its output captured. */
    private static final class Invocation {
        final CommandLine commandLine = MyelinCommand.commandLine();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();

        Invocation(Path workingDir) {
            commandLine.setOut(new PrintWriter(out, true));
            commandLine.setErr(new PrintWriter(err, true));
            run().workingDir = workingDir;
        }

        RunCommand run() { return commandLine.getSubcommands().get("run").getCommand(); }

        int execute(String... args) { return commandLine.execute(args); }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void versionPrintsTheBuildVersion() {
        Invocation cli = new Invocation(dir);
        assertThat(cli.execute("version")).isZero();
        assertThat(cli.out.toString()).matches("myelin \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R");
    }

    @Test
    void generateConfigWritesTheCommentedDefaults() throws Exception {
        Invocation cli = new Invocation(dir);
        assertThat(cli.execute("generate-config")).isZero();
        assertThat(cli.out.toString()).contains("# The domain in user and room IDs");
        assertThat(ConfigLoader.parse(cli.out.toString(), "out", Map.of())).isEqualTo(MyelinConfig.defaults());

        Path file = dir.resolve("m.yaml");
        assertThat(new Invocation(dir).execute("generate-config", "--output", file.toString())).isZero();
        Invocation again = new Invocation(dir);
        assertThat(again.execute("generate-config", "-o", file.toString())).isEqualTo(1);
        assertThat(again.err.toString()).isEqualTo("myelin: " + file + " already exists; not overwriting it\n");
    }

    @Test
    void generateKeysWritesSynapseFormatOwnerOnly() throws Exception {
        Invocation cli = new Invocation(dir);
        assertThat(cli.execute("generate-keys")).isZero();
        assertThat(cli.out.toString()).matches("ed25519 a_[A-Za-z0-9]{4} [A-Za-z0-9+/]{43}\\n");

        Path file = dir.resolve("keys/signing.key");
        Invocation toFile = new Invocation(dir);
        assertThat(toFile.execute("generate-keys", "--output", file.toString())).isZero();
        SigningKey key = SigningKey.parse(Files.readString(file));
        assertThat(toFile.err.toString()).contains(key.keyId());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(new Invocation(dir).execute("generate-keys", "--output", file.toString())).isEqualTo(1);
        assertThat(SigningKey.parse(Files.readString(file)).keyId()).isEqualTo(key.keyId());
    }

    @Test
    void firstRunCreatesConfigAndKeyAndLaterRunsReuseThem() throws Exception {
        int port = freePort();
        String[] args = {"run", "--data-dir", dir.resolve("data").toString(), "--listen", "127.0.0.1:" + port,
                "--server-name", "first.example"};

        Invocation first = new Invocation(dir);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> first.execute(args));
        MyelinServer server = first.run().ready().get(20, TimeUnit.SECONDS);
        assertThat(first.out.toString())
                .contains("myelin: wrote the configuration " + dir.resolve("myelin.yaml").toAbsolutePath())
                .contains("myelin: generated signing key ed25519:a_")
                .contains("Myelin ready: http://127.0.0.1:" + port + " (server name first.example)");
        var versions = get(server.http().uri(0).resolve("/_matrix/client/versions"));
        assertThat(versions.statusCode()).isEqualTo(200);
        assertThat(get(server.http().uri(0).resolve("/.well-known/matrix/client")).body())
                .contains("\"base_url\":\"http://127.0.0.1:" + port + "\"");
        first.run().requestStop();
        assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
        String keyId = SigningKey.parse(Files.readString(dir.resolve("data/signing.key"))).keyId();

        // the second run has no override for the server name: it comes from the file the first run wrote
        Invocation second = new Invocation(dir);
        CompletableFuture<Integer> exit2 = CompletableFuture.supplyAsync(() -> second.execute("run", "--listen", "127.0.0.1:" + port));
        second.run().ready().get(20, TimeUnit.SECONDS);
        assertThat(second.out.toString()).doesNotContain("wrote").doesNotContain("generated").contains("(server name first.example)");
        second.run().requestStop();
        assertThat(exit2.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(SigningKey.parse(Files.readString(dir.resolve("data/signing.key"))).keyId()).isEqualTo(keyId);
    }

    @Test
    void federationTlsListenerFromTheCommandLine() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
        int port = freePort();
        int tlsPort = freePort();
        Invocation cli = new Invocation(dir);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("run",
                "--data-dir", dir.resolve("data").toString(), "--listen", "127.0.0.1:" + port,
                "--federation-listen", "127.0.0.1:" + tlsPort, "--tls-cert", cert.certPem().toString(),
                "--tls-key", cert.keyPem().toString()));
        MyelinServer server = cli.run().ready().get(20, TimeUnit.SECONDS);
        assertThat(cli.out.toString()).contains("federation https://127.0.0.1:" + tlsPort);
        var client = HttpClient.newBuilder().sslContext(cert.trustingContext()).build();
        var response = client.send(HttpRequest.newBuilder(server.http().uri(1).resolve("/.well-known/matrix/server")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).isEqualTo("{\"m.server\":\"localhost:" + tlsPort + "\"}");
        cli.run().requestStop();
        assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void busyPortIsOneClearLineAndExitCodeOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Invocation cli = new Invocation(dir);
            int exit = cli.execute("run", "--data-dir", dir.resolve("data").toString(),
                    "--listen", "127.0.0.1:" + taken.getLocalPort());
            assertThat(exit).isEqualTo(1);
            assertThat(cli.err.toString()).matches("myelin: cannot listen on 127\\.0\\.0\\.1:" + taken.getLocalPort()
                    + ": Address already in use\\n");
        }
    }

    @Test
    void badConfigurationIsOneClearLine() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "listn: 127.0.0.1:8008\n");
        Invocation cli = new Invocation(dir);
        assertThat(cli.execute("run", "--config", config.toString())).isEqualTo(1);
        assertThat(cli.err.toString()).isEqualTo("myelin: config: unknown key 'listn' (did you mean 'listen'?)\n");

        Invocation badOverride = new Invocation(dir);
        assertThat(badOverride.execute("run", "--listen", "127.0.0.1:70000")).isEqualTo(1);
        assertThat(badOverride.err.toString()).isEqualTo("myelin: config: listen: port must be 1–65535, got 70000\n");
        assertThat(dir.resolve("myelin.yaml")).doesNotExist();

        Invocation missing = new Invocation(dir);
        assertThat(missing.execute("run", "--config", dir.resolve("nope.yaml").toString())).isEqualTo(1);
        assertThat(missing.err.toString()).startsWith("myelin: configuration file ").doesNotContain("\tat ");
    }

    @Test
    void unusableDataFolderIsOneClearLine() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Invocation cli = new Invocation(dir);
        assertThat(cli.execute("run", "--data-dir", file.toString(), "--listen", "127.0.0.1:" + freePort())).isEqualTo(1);
        assertThat(cli.err.toString()).isEqualTo("myelin: data_dir " + file + " exists but is not a folder\n");

        Invocation under = new Invocation(dir);
        assertThat(under.execute("run", "--data-dir", file.resolve("sub").toString(), "--listen", "127.0.0.1:" + freePort()))
                .isEqualTo(1);
        assertThat(under.err.toString()).startsWith("myelin: cannot create data_dir ").endsWith("\n").hasLineCount(1);
    }

    @Test
    void missingTlsFilesAreOneClearLine() throws Exception {
        Invocation cli = new Invocation(dir);
        int exit = cli.execute("run", "--data-dir", dir.resolve("data").toString(), "--listen", "127.0.0.1:" + freePort(),
                "--federation-listen", "127.0.0.1:" + freePort(), "--tls-cert", dir.resolve("no-cert.pem").toString(),
                "--tls-key", dir.resolve("no-key.pem").toString());
        assertThat(exit).isEqualTo(1);
        assertThat(cli.err.toString()).startsWith("myelin: cannot load TLS certificate " + dir.resolve("no-cert.pem"))
                .hasLineCount(1);
    }

    @Test
    void unknownComponentIsOneClearLine() {
        Invocation cli = new Invocation(dir);
        assertThat(cli.execute("run", "--components", "clientapi,chatbot")).isEqualTo(1);
        assertThat(cli.err.toString()).isEqualTo("myelin: unknown component 'chatbot' (known: clientapi, syncapi, "
                + "federationapi, roomserver, userapi, mediaapi, appservice)\n");
    }

    @Test
    void commandLineOverridesTheConfigurationFile() throws Exception {
        Path config = dir.resolve("myelin.yaml");
        Files.writeString(config, "server_name: file.example\nlisten: 127.0.0.1:1111\ndata_dir: /srv/file\n");
        Invocation cli = new Invocation(dir);
        cli.commandLine.parseArgs("run", "--config", config.toString(), "--server-name", "cli.example", "--listen", "[::1]:2222");
        MyelinConfig effective = cli.run().loadConfig(new PrintWriter(new StringWriter()));
        assertThat(effective.serverName()).isEqualTo("cli.example");
        assertThat(effective.listen().toString()).isEqualTo("[::1]:2222");
        assertThat(effective.dataDir()).isEqualTo(Path.of("/srv/file"));

        Invocation components = new Invocation(dir);
        assertThat(components.run().components).hasSize(7);
        components.commandLine.parseArgs("run", "--components", "clientapi,syncapi");
        assertThat(Component.parseList(components.run().components)).containsExactly(Component.CLIENTAPI, Component.SYNCAPI);
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"run", "generate-config", "generate-keys"}) {
            Invocation cli = new Invocation(dir);
            assertThat(cli.execute(command, "--help")).isZero();
            assertThat(cli.out.toString()).startsWith("Usage: myelin " + command);
        }
    }

    @Test
    void protocolCommandIsASubcommand() {
        assertThat(MyelinCommand.commandLine().getSubcommands()).containsKeys("run", "generate-config", "generate-keys", "version", "protocol");
    }
}
