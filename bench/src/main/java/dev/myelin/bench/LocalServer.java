package dev.myelin.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Myelin started for a scenario the way a user starts it: {@code ./myelin run} in a folder of its own, on a free
 * loopback port. Knows its process, so scenarios can read its resident memory.
 */
public final class LocalServer implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final String url;
    private final double startMillis;
    private final boolean deleteOnClose;

    private LocalServer(Path dir, Process process, String url, double startMillis, boolean deleteOnClose) {
        this.dir = dir;
        this.process = process;
        this.url = url;
        this.startMillis = startMillis;
        this.deleteOnClose = deleteOnClose;
    }

    /** Starts a server in a new temporary folder that is deleted on close. */
    public static LocalServer start(Path launcher, List<String> extraArgs) throws Exception {
        return start(launcher, Files.createTempDirectory("myelin-bench"), extraArgs, true);
    }

    /** Starts a server in {@code dir} (reused across starts), waits until it answers, and times that. */
    public static LocalServer start(Path launcher, Path dir, List<String> extraArgs, boolean deleteOnClose) throws Exception {
        int port = freePort();
        var command = new ArrayList<>(List.of(launcher.toString(), "run", "--data-dir", dir.resolve("data").toString(),
                "--listen", "127.0.0.1:" + port));
        command.addAll(extraArgs);
        Path log = dir.resolve("server.log");
        var builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        String url = "http://127.0.0.1:" + port;
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        var versions = HttpRequest.newBuilder(URI.create(url + "/_matrix/client/versions")).timeout(Duration.ofSeconds(2)).build();
        long start = System.nanoTime();
        Process process = builder.start();
        long deadline = start + Duration.ofSeconds(120).toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (http.send(versions, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) break;
            } catch (IOException notYet) {
                // why: connection refused until the listener is up
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("server not ready after 120 s; see " + log);
            }
            Thread.sleep(5);
        }
        return new LocalServer(dir, process, url, (System.nanoTime() - start) / 1e6, deleteOnClose);
    }

    public String url() {
        return url;
    }

    public long pid() {
        return process.pid();
    }

    /** Milliseconds from spawning {@code ./myelin run} to the first 200 from /versions. */
    public double startMillis() {
        return startMillis;
    }

    public double residentMiB() throws IOException {
        return residentMiB(process.pid());
    }

    /**
     * CPU time (user + system) the process has used so far, in milliseconds; with the wall time it tells how much of
     * the machine a scenario's server used, which other load on a shared machine does not change as much.
     */
    public static double cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // why: the command name (field 2) is in parentheses and may contain spaces; count fields after its end
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
        return ticks * 1000.0 / 100; // USER_HZ is 100 on Linux
    }

    public static double residentMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    @Override
    public void close() throws Exception {
        process.destroy(); // SIGTERM: graceful shutdown
        if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        if (deleteOnClose) deleteTree(dir);
    }

    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
