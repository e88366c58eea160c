package dev.myelin.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Start-up time and idle memory of the embedded shape, as a user gets them: {@code ./myelin run} in a fresh folder
 * on a free loopback port, timed from spawn to the first 200 from {@code /_matrix/client/versions}; then the
 * resident set size after idling. A first start (config and signing key generated) and a restart (both reused) are
 * measured separately.
 */
final class StartupScenario {
    private StartupScenario() {}

    public static void main(String[] args) throws Exception {
        var options = new Options(args, Map.of("runs", "5", "idle-seconds", "5", "launcher", "./myelin"));
        int runs = options.integer("runs");
        int idleSeconds = options.integer("idle-seconds");
        Path launcher = Path.of(options.string("launcher")).toAbsolutePath();
        var first = new ArrayList<Double>();
        var restart = new ArrayList<Double>();
        var rss = new ArrayList<Double>();
        for (int i = 0; i < runs; i++) {
            Path dir = Files.createTempDirectory("myelin-bench-startup");
            try {
                try (var server = LocalServer.start(launcher, dir, List.of(), false)) {
                    first.add(server.startMillis());
                }
                try (var server = LocalServer.start(launcher, dir, List.of(), false)) {
                    restart.add(server.startMillis());
                    Thread.sleep(idleSeconds * 1000L);
                    rss.add(server.residentMiB());
                }
            } finally {
                LocalServer.deleteTree(dir);
            }
        }
        System.out.printf("command: ./myelin bench startup --runs %d --idle-seconds %d%n", runs, idleSeconds);
        System.out.printf("first start to first answer (ms): median %.0f, min %.0f, max %.0f%n",
                Stats.median(first), Stats.min(first), Stats.max(first));
        System.out.printf("restart to first answer (ms):     median %.0f, min %.0f, max %.0f%n",
                Stats.median(restart), Stats.min(restart), Stats.max(restart));
        System.out.printf("idle RSS after %d s (MiB):         median %.1f, min %.1f, max %.1f%n",
                idleSeconds, Stats.median(rss), Stats.min(rss), Stats.max(rss));
    }
}
