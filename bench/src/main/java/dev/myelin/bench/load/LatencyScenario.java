package dev.myelin.bench.load;

import dev.myelin.bench.Options;
import dev.myelin.bench.Stats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;

/**
 * Send-to-sync latency: B holds a long-poll /sync; A sends a message to their shared room; the figure is the time
 * from A starting the send to B's /sync returning with that event.
 */
public final class LatencyScenario {
    private LatencyScenario() {}

    public static void main(String[] args) throws Exception {
        var options = new Options(args, Map.of("url", "", "launcher", "./myelin", "config", "", "samples", "500", "warmup", "100"));
        int samples = options.integer("samples");
        int warmup = options.integer("warmup");
        try (var target = Target.open(options);
                var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            var http = MatrixClient.newHttp();
            List<MatrixClient> users = Population.register(http, target.url(), Population.uniquePrefix("lat"), 2, 2);
            MatrixClient a = users.get(0), b = users.get(1);
            String room = a.createRoom(MatrixClient.JSON.createObjectNode().put("preset", "public_chat"));
            b.join(room);
            String filter = "{\"room\":{\"rooms\":[\"" + room + "\"],\"timeline\":{\"limit\":10},\"state\":{\"lazy_load_members\":true}},"
                    + "\"presence\":{\"types\":[]},\"account_data\":{\"types\":[]}}";
            String since = b.sync(null, 0, filter).path("next_batch").asString();
            var latencies = new ArrayList<Double>();
            for (int i = 0; i < warmup + samples; i++) {
                final String from = since;
                var poll = executor.submit(() -> b.sync(from, 30_000, filter));
                Thread.sleep(5); // why: let B's request reach the server and park before A sends
                long start = System.nanoTime();
                String eventId = a.send(room, "ping " + i);
                JsonNode response = poll.get();
                // why: the first wake-up may carry something else (e.g. a receipt); keep polling until the event shows
                while (!containsEvent(response, room, eventId)) {
                    response = b.sync(response.path("next_batch").asString(), 30_000, filter);
                }
                double ms = (System.nanoTime() - start) / 1e6;
                since = response.path("next_batch").asString();
                if (i >= warmup) latencies.add(ms);
            }
            System.out.printf("command: ./myelin bench latency --samples %d --warmup %d%s%n", samples, warmup,
                    target.commandSuffix());
            System.out.printf("target: %s%n", target.describe());
            System.out.printf("send-to-sync latency (ms) over %d samples: p50 %.2f, p90 %.2f, p99 %.2f, max %.2f%n", samples,
                    Stats.percentile(latencies, 50), Stats.percentile(latencies, 90), Stats.percentile(latencies, 99),
                    Stats.max(latencies));
        }
    }

    private static boolean containsEvent(JsonNode sync, String room, String eventId) {
        for (JsonNode event : sync.path("rooms").path("join").path(room).path("timeline").path("events")) {
            if (eventId.equals(event.path("event_id").asString())) return true;
        }
        return false;
    }
}
