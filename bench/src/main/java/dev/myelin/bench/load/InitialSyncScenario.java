package dev.myelin.bench.load;

import dev.myelin.bench.Options;
import dev.myelin.bench.Stats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Initial sync of a user in R rooms of M members each (generated over the API: M users, R rooms, every user joined
 * to every room), with a timeline limit of 20 and lazy-loaded members, as Element does.
 */
public final class InitialSyncScenario {
    private InitialSyncScenario() {}

    public static void main(String[] args) throws Exception {
        var options = new Options(args, Map.of("url", "", "launcher", "./myelin", "config", "", "rooms", "300", "members", "300",
                "runs", "5", "parallel", "16"));
        int roomCount = options.integer("rooms");
        int members = options.integer("members");
        int runs = options.integer("runs");
        int parallel = options.integer("parallel");
        try (var target = Target.open(options)) {
            var http = MatrixClient.newHttp();
            long setupStart = System.nanoTime();
            List<MatrixClient> users = Population.register(http, target.url(), Population.uniquePrefix("init"), members, parallel);
            MatrixClient owner = users.get(0);
            var create = new ArrayList<Callable<String>>();
            for (int r = 0; r < roomCount; r++) {
                int n = r;
                create.add(() -> owner.createRoom(MatrixClient.JSON.createObjectNode().put("preset", "public_chat")
                        .put("name", "bench room " + n)));
            }
            List<String> rooms = Population.runAll(create, parallel);
            var joins = new ArrayList<Callable<Void>>();
            for (String room : rooms) {
                for (MatrixClient user : users.subList(1, users.size())) {
                    joins.add(() -> {
                        user.join(room);
                        return null;
                    });
                }
            }
            Population.runAll(joins, parallel);
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            String filter = "{\"room\":{\"timeline\":{\"limit\":20},\"state\":{\"lazy_load_members\":true}}}";
            var times = new ArrayList<Double>();
            int joinedRooms = 0;
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                var response = owner.sync(null, 0, filter);
                times.add((System.nanoTime() - start) / 1e6);
                joinedRooms = response.path("rooms").path("join").size();
            }
            System.out.printf("command: ./myelin bench initial-sync --rooms %d --members %d --runs %d%s%n", roomCount, members, runs,
                    target.commandSuffix());
            System.out.printf("target: %s%n", target.describe());
            System.out.printf("setup: %d users, %d rooms, %d joins in %.1f s%n", members, roomCount, joins.size(), setupSeconds);
            System.out.printf("initial sync (%d joined rooms returned, timeline limit 20, lazy members) (ms): median %.0f, min %.0f, max %.0f%n",
                    joinedRooms, Stats.median(times), Stats.min(times), Stats.max(times));
        }
    }
}
