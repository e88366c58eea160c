package dev.myelin.bench.load;

import dev.myelin.bench.Options;
import java.util.Map;

/**
 * Registering N users over the API ({@code m.login.dummy} user-interactive auth, each registration logged in),
 * with a bounded number in flight: registrations per second. Dominated by password hashing on the server.
 */
public final class RegisterScenario {
    private RegisterScenario() {}

    public static void main(String[] args) throws Exception {
        var options = new Options(args, Map.of("url", "", "launcher", "./myelin", "config", "", "users", "200", "parallel", "8"));
        int users = options.integer("users");
        int parallel = options.integer("parallel");
        try (var target = Target.open(options)) {
            var http = MatrixClient.newHttp();
            Population.register(http, target.url(), Population.uniquePrefix("warm"), Math.min(20, users), parallel);
            long start = System.nanoTime();
            Population.register(http, target.url(), Population.uniquePrefix("reg"), users, parallel);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("command: ./myelin bench register --users %d --parallel %d%s%n", users, parallel, target.commandSuffix());
            System.out.printf("target: %s%n", target.describe());
            System.out.printf("register: %d users (%d in flight) in %.2f s = %.1f registrations/s%n", users, parallel, seconds, users / seconds);
        }
    }
}
