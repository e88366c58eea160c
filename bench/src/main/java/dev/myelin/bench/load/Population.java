package dev.myelin.bench.load;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Registering users and filling rooms, with a bounded number of requests in flight. */
final class Population {
    private Population() {}

    static List<MatrixClient> register(HttpClient http, String url, String prefix, int count, int parallel) throws Exception {
        var anonymous = MatrixClient.anonymous(http, url);
        var tasks = new ArrayList<Callable<MatrixClient>>();
        for (int i = 0; i < count; i++) {
            String localpart = prefix + i;
            tasks.add(() -> anonymous.register(localpart, "bench-password-" + localpart));
        }
        return runAll(tasks, parallel);
    }

    /** Runs the tasks on virtual threads, at most {@code parallel} at once, and returns their results in order. */
    static <T> List<T> runAll(List<Callable<T>> tasks, int parallel) throws Exception {
        var permits = new java.util.concurrent.Semaphore(parallel);
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new ArrayList<Future<T>>();
            for (Callable<T> task : tasks) {
                futures.add(executor.submit(() -> {
                    permits.acquire();
                    try {
                        return task.call();
                    } finally {
                        permits.release();
                    }
                }));
            }
            var results = new ArrayList<T>(futures.size());
            for (Future<T> f : futures) results.add(f.get());
            return results;
        }
    }

    static String uniquePrefix(String scenario) {
        return scenario + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36) + "_";
    }
}
