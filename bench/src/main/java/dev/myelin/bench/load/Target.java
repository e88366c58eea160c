package dev.myelin.bench.load;

import dev.myelin.bench.LocalServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The homeserver a load scenario drives: any URL given with {@code --url}, or a fresh local Myelin. */
record Target(String url, LocalServer local, String commandSuffix) implements AutoCloseable {

    /**
     * From a scenario's {@code --url} (drive that server), else a fresh local Myelin started with {@code --launcher},
     * on the configuration file {@code --config} if given (e.g. PostgreSQL + JetStream), else the embedded defaults.
     */
    static Target open(dev.myelin.bench.Options options) throws Exception {
        String url = options.string("url");
        if (!url.isEmpty()) return new Target(url, null, " --url " + url);
        String config = options.string("config");
        // why: a load generator registers its users from one address; the server's registration and login rate
        // limits (right for the internet) would make setting up a scenario take minutes. Off for the local server.
        Path file = Files.createTempFile("myelin-bench", ".yaml");
        String base = config.isEmpty() ? "" : Files.readString(Path.of(config));
        Files.writeString(file, base + "\nrate_limits:\n  enabled: false\n");
        file.toFile().deleteOnExit();
        LocalServer server = LocalServer.start(Path.of(options.string("launcher")).toAbsolutePath(), List.of("--config", file.toString()));
        return new Target(server.url(), server, config.isEmpty() ? "" : " --config " + config);
    }

    String describe() {
        return local == null ? url : "local Myelin at " + url + " (pid " + local.pid() + "), rate limits off";
    }

    @Override
    public void close() throws Exception {
        if (local != null) local.close();
    }
}
