package dev.myelin.server.cli;

import dev.myelin.platform.config.ConfigException;
import dev.myelin.platform.config.ConfigLoader;
import dev.myelin.platform.config.ConfigTemplate;
import dev.myelin.platform.config.MyelinConfig;
import dev.myelin.platform.http.HttpServer;
import dev.myelin.server.Component;
import dev.myelin.server.DataDir;
import dev.myelin.server.Logging;
import dev.myelin.server.MyelinServer;
import dev.myelin.server.SigningKeyFile;
import dev.myelin.server.StartupFailure;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code myelin run}: start the server. In order: read the configuration (creating {@code ./myelin.yaml} on the
 * very first run), apply the command-line overrides, set the log level, prepare the data folder, load or create
 * the signing key, start the listeners, say "ready", and serve until SIGTERM / Ctrl-C, when requests in flight
 * are finished before the process ends. Any failure on the way is one line on standard error and exit code 1.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class, description = "Start the server.")
public final class RunCommand implements Callable<Integer> {
    /** The configuration file used when --config is not given; created with the defaults on the first run. */
    static final Path DEFAULT_CONFIG = Path.of("myelin.yaml");

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Configuration file (default: ./myelin.yaml, created when missing).")
    Path configFile;

    @Option(names = "--components", split = ",", paramLabel = "NAME",
            description = "Components this process runs, comma-separated (default: all): clientapi, syncapi, federationapi, roomserver, userapi, mediaapi, appservice.")
    List<String> components = Arrays.stream(Component.values()).map(Component::cliName).toList();

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Overrides data_dir.")
    String dataDir;

    @Option(names = "--server-name", paramLabel = "NAME", description = "Overrides server_name.")
    String serverName;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Overrides listen (client and federation APIs over HTTP).")
    String listen;

    @Option(names = "--federation-listen", paramLabel = "HOST:PORT", description = "Overrides federation_listen (TLS; needs --tls-cert and --tls-key).")
    String federationListen;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Overrides tls_cert (PEM certificate chain).")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "Overrides tls_key (PEM private key).")
    String tlsKey;

    /** Where ./myelin.yaml is looked for; the current directory except in tests. */
    Path workingDir = Path.of("");

    private final CompletableFuture<MyelinServer> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> stopRequested = new CompletableFuture<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            Set<Component> chosen = chosenComponents();
            MyelinConfig config = loadConfig(out);
            Logging.applyLevel(config.logLevel());
            DataDir.prepare(config.dataDir());
            var signingKey = SigningKeyFile.loadOrCreate(config.signingKeyFile(), new SecureRandom());
            if (signingKey.created()) {
                out.println("myelin: generated signing key " + signingKey.key().keyId() + " in " + config.signingKeyFile());
            }
            try (MyelinServer server = MyelinServer.start(config, signingKey.key(), chosen)) {
                out.println(readyLine(server));
                out.flush();
                serveUntilStopped(server);
            }
            return 0;
        } catch (StartupFailure | ConfigException | HttpServer.StartException e) {
            ready.completeExceptionally(e);
            return Cli.fail(spec, e.getMessage());
        }
    }

    private Set<Component> chosenComponents() throws StartupFailure {
        try {
            return Component.parseList(components);
        } catch (IllegalArgumentException e) {
            throw new StartupFailure(e.getMessage());
        }
    }

    /** The configuration file (written with the defaults and overrides if it is the default one and missing). */
    MyelinConfig loadConfig(PrintWriter out) throws StartupFailure {
        Map<String, String> overrides = overrides();
        if (configFile != null) {
            if (!Files.exists(configFile)) {
                throw new StartupFailure("configuration file " + configFile + " does not exist (myelin generate-config -o "
                        + configFile + " writes one)");
            }
            return ConfigLoader.load(configFile, overrides);
        }
        Path defaultFile = workingDir.resolve(DEFAULT_CONFIG);
        if (Files.exists(defaultFile)) return ConfigLoader.load(defaultFile, overrides);
        MyelinConfig config = ConfigLoader.parse("", "command line", overrides);
        try {
            // why: written with the overrides, so that a later plain `myelin run` keeps e.g. the server name
            Files.writeString(defaultFile, ConfigTemplate.render(config), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StartupFailure("cannot write " + defaultFile.toAbsolutePath() + ": " + e.getMessage());
        }
        out.println("myelin: wrote the configuration " + defaultFile.toAbsolutePath() + " (edit it to change the defaults)");
        return config;
    }

    /** Command-line options as configuration keys; they win over the file. */
    Map<String, String> overrides() {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (serverName != null) overrides.put("server_name", serverName);
        if (dataDir != null) overrides.put("data_dir", dataDir);
        if (listen != null) overrides.put("listen", listen);
        if (federationListen != null) overrides.put("federation_listen", federationListen);
        if (tlsCert != null) overrides.put("tls_cert", tlsCert);
        if (tlsKey != null) overrides.put("tls_key", tlsKey);
        return overrides;
    }

    private static String readyLine(MyelinServer server) {
        HttpServer http = server.http();
        StringBuilder line = new StringBuilder("Myelin ready: ").append(http.uri(0));
        if (server.config().federationListen().isPresent()) line.append(", federation ").append(http.uri(1));
        line.append(" (server name ").append(server.config().serverName()).append(")");
        return line.toString();
    }

    private void serveUntilStopped(MyelinServer server) {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested.complete(null);
            try {
                // why: the JVM exits when hooks return; wait for in-flight requests to finish first
                stopped.await(MyelinServer.STOP_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "myelin-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        ready.complete(server);
        try {
            stopRequested.join();
            log.info("stopping: finishing requests in flight (at most {} s)", MyelinServer.STOP_TIMEOUT.toSeconds());
            server.close();
            log.info("stopped");
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: nothing to remove
            }
        }
    }

    /** Completes with the running server once it is ready (or fails when start-up fails); for tests. */
    public CompletableFuture<MyelinServer> ready() { return ready; }

    /** Stops the server as SIGTERM would. */
    public void requestStop() { stopRequested.complete(null); }
}
