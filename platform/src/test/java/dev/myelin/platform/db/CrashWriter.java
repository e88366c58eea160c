package dev.myelin.platform.db;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Child process of {@link CrashSafetyTest}: writes rows as fast as it can from several threads and prints each
 * row's id on stdout only after its transaction committed, until it is killed.
 *
 * <p>Arguments: {@code sqlite <directory>} or {@code postgres <url> <user> <schemaPrefix>}.
 */
public final class CrashWriter {

    static final int THREADS = 4;

    public static void main(String[] args) throws Exception {
        DatabaseConfig config = switch (args[0]) {
            case "sqlite" -> DatabaseConfig.sqlite(Path.of(args[1]));
            case "postgres" -> DatabaseConfig.postgres(args[1], args[2], "").withPostgresSchemaPrefix(args[3]);
            default -> throw new IllegalArgumentException("unknown dialect " + args[0]);
        };
        Database db = Databases.open(config, "platformtest");
        System.out.println("ready");
        System.out.flush();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < THREADS; t++) {
                long first = t * 1_000_000L;
                pool.submit(() -> {
                    for (long id = first; ; id++) {
                        long row = id;
                        db.write(c -> DatabaseContractTest.insert(c, row, "row " + row));
                        synchronized (System.out) {
                            System.out.println(row);
                            System.out.flush();
                        }
                    }
                });
            }
        }
    }

    private CrashWriter() {}
}
