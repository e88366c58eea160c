package dev.myelin.bench.load;

import dev.myelin.bench.LocalServer;
import dev.myelin.bench.Options;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Messages per second over HTTP. {@code sequential}: one client sends to one room, one message after another.
 * {@code one-room}: N clients send concurrently to one shared room. {@code many-rooms}: N clients each send to a
 * room of their own. Each client waits for its 200 before sending the next message.
 */
public final class SendScenario {
    private SendScenario() {}

    public static void main(String[] args) throws Exception {
        var options = new Options(args, Map.of("url", "", "launcher", "./myelin", "config", "", "mode", "sequential",
                "clients", "16", "messages", "4000", "warmup", "500"));
        String mode = options.string("mode");
        int clients = mode.equals("sequential") ? 1 : options.integer("clients");
        int messages = options.integer("messages");
        int warmup = options.integer("warmup");
        try (var target = Target.open(options)) {
            var http = MatrixClient.newHttp();
            List<MatrixClient> users = Population.register(http, target.url(), Population.uniquePrefix("send"), clients, 8);
            var rooms = new ArrayList<String>();
            var body = MatrixClient.JSON.createObjectNode().put("preset", "public_chat");
            switch (mode) {
                case "sequential", "many-rooms" -> {
                    for (MatrixClient user : users) rooms.add(user.createRoom(body));
                }
                case "one-room" -> {
                    String room = users.get(0).createRoom(body);
                    for (MatrixClient user : users.subList(1, users.size())) user.join(room);
                    for (int i = 0; i < clients; i++) rooms.add(room);
                }
                default -> throw new IllegalArgumentException("--mode is sequential, one-room or many-rooms");
            }
            run(users, rooms, Math.max(clients, warmup));
            if (target.local() != null) awaitIdle(target.local().pid()); // why: the warm-up's backlog is not ours
            double serverCpu = target.local() == null ? Double.NaN : LocalServer.cpuMillis(target.local().pid());
            double ownCpu = LocalServer.cpuMillis(ProcessHandle.current().pid());
            double seconds = run(users, rooms, messages);
            double cpuAtLastReply = target.local() == null ? Double.NaN : LocalServer.cpuMillis(target.local().pid());
            ownCpu = LocalServer.cpuMillis(ProcessHandle.current().pid()) - ownCpu;
            long catchUpMillis = target.local() == null ? -1 : awaitIdle(target.local().pid());
            double serverCpuAll = target.local() == null ? Double.NaN : LocalServer.cpuMillis(target.local().pid()) - serverCpu;
            serverCpu = cpuAtLastReply - serverCpu;
            System.out.printf("command: ./myelin bench send --mode %s --clients %d --messages %d%s%n", mode, clients, messages,
                    target.commandSuffix());
            System.out.printf("target: %s%n", target.describe());
            System.out.printf("%s: %d messages from %d client(s) in %.2f s = %.0f msg/s%n",
                    mode, messages, clients, seconds, messages / seconds);
            // why: on a shared machine the rate depends on what else runs; CPU time per message much less so
            System.out.printf("CPU per message: server %.0f µs, load generator %.0f µs; load average %s%n",
                    serverCpu * 1000 / messages, ownCpu * 1000 / messages, loadAverage());
            if (catchUpMillis >= 0) {
                // why: stream consumers (sync's index, push, unread counts) may still be working after the last 200
                System.out.printf("after the last reply the server worked %d ms more (consumers catching up); "
                        + "server CPU a message including that: %.0f µs%n", catchUpMillis, serverCpuAll * 1000 / messages);
            }
        }
    }

    /**
     * Waits until the server process is idle (under 3 ms of CPU in each of two consecutive 100 ms windows, at most 60 s)
     * and returns how long that took, the idle windows not counted.
     */
    private static long awaitIdle(long pid) throws InterruptedException, java.io.IOException {
        long start = System.nanoTime();
        double last = LocalServer.cpuMillis(pid);
        int quiet = 0;
        while (quiet < 2 && System.nanoTime() - start < 60_000_000_000L) {
            Thread.sleep(100);
            double now = LocalServer.cpuMillis(pid);
            quiet = now - last < 3 ? quiet + 1 : 0;
            last = now;
        }
        return Math.max(0, (System.nanoTime() - start) / 1_000_000 - 200);
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** Sends {@code total} messages spread over the clients; returns the wall time in seconds. */
    private static double run(List<MatrixClient> users, List<String> rooms, int total) throws Exception {
        int clients = users.size();
        var tasks = new ArrayList<Callable<Void>>();
        for (int c = 0; c < clients; c++) {
            MatrixClient user = users.get(c);
            String room = rooms.get(c);
            int share = total / clients + (c < total % clients ? 1 : 0);
            tasks.add(() -> {
                for (int i = 0; i < share; i++) user.send(room, "bench message " + i);
                return null;
            });
        }
        long start = System.nanoTime();
        Population.runAll(tasks, clients);
        return (System.nanoTime() - start) / 1e9;
    }
}
