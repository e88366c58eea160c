package dev.myelin.bench.load;

import dev.myelin.bench.LocalServer;
import dev.myelin.bench.Options;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Idle long polls: one user holds N /sync long polls open at once (nothing happens in its rooms), and the server's
 * resident memory is read before and while they are held. Needs a local server (or {@code --pid}) for memory.
 */
public final class IdlePollsScenario {
    private IdlePollsScenario() {}

    public static void main(String[] args) throws Exception {
        var options = new Options(args, Map.of("url", "", "launcher", "./myelin", "config", "", "pid", "0", "polls", "10000",
                "hold-seconds", "15", "poll-timeout-ms", "60000"));
        int polls = options.integer("polls");
        int holdSeconds = options.integer("hold-seconds");
        try (var target = Target.open(options)) {
            long pid = target.local() != null ? target.local().pid() : options.integer("pid");
            var http = MatrixClient.newHttp();
            MatrixClient user = Population.register(http, target.url(), Population.uniquePrefix("idle"), 1, 1).get(0);
            String since = user.sync(null, 0, null).path("next_batch").asString();
            Thread.sleep(2000);
            double before = pid > 0 ? LocalServer.residentMiB(pid) : Double.NaN;
            var request = user.request("GET", "/_matrix/client/v3/sync?timeout=" + options.string("poll-timeout-ms")
                    + "&since=" + MatrixClient.encode(since), null, Duration.ofMinutes(5));
            var pending = new ArrayList<CompletableFuture<HttpResponse<Void>>>(polls);
            for (int i = 0; i < polls; i++) pending.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
            Thread.sleep(holdSeconds * 1000L);
            long answered = pending.stream().filter(CompletableFuture::isDone).count();
            double held = pid > 0 ? LocalServer.residentMiB(pid) : Double.NaN;
            System.out.printf("command: ./myelin bench idle-polls --polls %d --hold-seconds %d%s%n", polls, holdSeconds,
                    target.commandSuffix() + (target.local() == null ? " --pid " + pid : ""));
            System.out.printf("target: %s%n", target.describe());
            System.out.printf("%d long polls sent, %d answered early (should be 0)%n", polls, answered);
            System.out.printf("server RSS: %.1f MiB before, %.1f MiB while holding them (%.1f KiB per poll)%n",
                    before, held, (held - before) * 1024 / polls);
            pending.forEach(f -> f.cancel(true));
        }
    }
}
