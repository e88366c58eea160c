package dev.myelin.bench;

import java.util.Arrays;

/**
 * The benchmark harness: {@code ./myelin bench <scenario> [options]}. Every scenario prints its figures and the
 * exact command that produced them, so BENCHMARKS.md can quote both.
 */
public final class Bench {
    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "startup" -> StartupScenario.main(rest);
            case "register" -> dev.myelin.bench.load.RegisterScenario.main(rest);
            case "send" -> dev.myelin.bench.load.SendScenario.main(rest);
            case "latency" -> dev.myelin.bench.load.LatencyScenario.main(rest);
            case "idle-polls" -> dev.myelin.bench.load.IdlePollsScenario.main(rest);
            case "initial-sync" -> dev.myelin.bench.load.InitialSyncScenario.main(rest);
            case "jmh" -> org.openjdk.jmh.Main.main(rest);
            default -> {
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.err.println("""
                usage: ./myelin bench <scenario> [options]
                  startup [--runs N] [--idle-seconds S]   time from './myelin run' to the first answered request, idle RSS
                  register [--users N] [--parallel N]     registrations per second (m.login.dummy)
                  send [--mode sequential|one-room|many-rooms] [--clients N] [--messages N]   messages per second
                  latency [--samples N]                   send-to-sync latency through a long-polling /sync
                  idle-polls [--polls N]                  server memory while N long polls are held
                  initial-sync [--rooms R] [--members M]  initial sync of a user in R rooms of M members
                load scenarios take --url URL to drive any homeserver instead of a fresh local Myelin
                  jmh [JMH options] [regexp]              the protocol and push rule micro-benchmarks (JMH)""");
    }
}
