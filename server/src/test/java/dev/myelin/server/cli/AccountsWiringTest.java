package dev.myelin.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.config.ConfigLoader;
import dev.myelin.platform.config.ConfigException;
import dev.myelin.server.MyelinServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The accounts components inside the real server: create-account, run, login, and the registration switch. */
class AccountsWiringTest {
    @TempDir Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static HttpResponse<String> post(URI uri, String json) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int createAccount(StringWriter out, StringWriter err, String stdin, String... args) {
        CommandLine cli = MyelinCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return cli.execute(args);
        } finally {
            System.setIn(before);
        }
    }

    @Test
    void createdAccountLogsInToTheRunningServerAndLoopbackRegistrationIsOpen() throws Exception {
        String data = dir.resolve("data").toString();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(createAccount(out, err, "correct horse\n", "create-account", "root", "--admin", "--password-stdin",
                "--data-dir", data, "--server-name", "wired.example")).isZero();
        assertThat(out.toString()).contains("myelin: created @root:wired.example (admin)");
        StringWriter err2 = new StringWriter();
        assertThat(createAccount(new StringWriter(), err2, "x\n", "create-account", "root", "--password-stdin",
                "--data-dir", data, "--server-name", "wired.example")).isEqualTo(1);
        assertThat(err2.toString()).contains("M_USER_IN_USE");
        assertThat(createAccount(new StringWriter(), new StringWriter(), "", "create-account", "nopw", "--password-stdin",
                "--data-dir", data, "--server-name", "wired.example")).isEqualTo(1);

        int port = freePort();
        CommandLine cli = MyelinCommand.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        RunCommand run = cli.getSubcommands().get("run").getCommand();
        run.workingDir = dir;
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("run", "--data-dir", data,
                "--listen", "127.0.0.1:" + port, "--server-name", "wired.example"));
        MyelinServer server = run.ready().get(30, TimeUnit.SECONDS);
        try {
            URI base = server.http().uri(0);
            var login = post(base.resolve("/_matrix/client/v3/login"),
                    "{\"type\":\"m.login.password\",\"user\":\"root\",\"password\":\"correct horse\"}");
            assertThat(login.statusCode()).isEqualTo(200);
            assertThat(login.body()).contains("\"user_id\":\"@root:wired.example\"", "\"access_token\":\"myl_");
            var register = post(base.resolve("/_matrix/client/v3/register"), "{\"username\":\"newbie\",\"password\":\"pw\"}");
            assertThat(register.statusCode()).as("registration is open on a loopback-only server").isEqualTo(401);
            assertThat(register.body()).contains("m.login.dummy");
        } finally {
            run.requestStop();
        }
        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void createAccountHasHelp() {
        StringWriter out = new StringWriter();
        assertThat(createAccount(out, new StringWriter(), "", "create-account", "--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: myelin create-account").contains("--admin", "--password-stdin");
    }

    @Test
    void registrationAutoIsOpenOnlyWhenEveryListenerIsLoopback() {
        assertThat(ConfigLoader.parse("", "t", Map.of()).registrationOpen()).isTrue();
        assertThat(ConfigLoader.parse("", "t", Map.of("listen", "0.0.0.0:8008")).registrationOpen()).isFalse();
        assertThat(ConfigLoader.parse("", "t", Map.of("listen", "[::1]:8008")).registrationOpen()).isTrue();
        assertThat(ConfigLoader.parse("registration:\n  enabled: false\n", "t", Map.of()).registrationOpen()).isFalse();
        assertThat(ConfigLoader.parse("registration:\n  enabled: true\n", "t", Map.of("listen", "0.0.0.0:8008")).registrationOpen()).isTrue();
        Assertions.assertThatThrownBy(() -> ConfigLoader.parse("registration:\n  enabled: maybe\n", "t", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("registration.enabled");
        assertThat(ConfigLoader.parse("registration:\n  shared_secret: hunter2\n", "t", Map.of()).toString()).doesNotContain("hunter2");
        assertThat(ConfigLoader.parse("rate_limits:\n  login_burst: 9\n", "t", Map.of()).rateLimits().loginBurst()).isEqualTo(9);
    }
}
