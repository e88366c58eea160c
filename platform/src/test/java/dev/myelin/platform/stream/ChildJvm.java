package dev.myelin.platform.stream;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A child JVM running {@link StreamChild} with this test's class path; its stdout lines are collected. */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    ChildJvm(Path stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xshare:auto");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(StreamChild.class.getName());
        command.addAll(List.of(args));
        process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                .start();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child died: that is the point of these tests
            }
        });
    }

    long count(String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).count();
    }

    /** Waits until the child printed {@code n} lines starting with {@code prefix}; fails if it died first. */
    void awaitLines(String prefix, long n, Duration timeout, File stderr) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count(prefix) < n) {
            if (!process.isAlive()) {
                throw new AssertionError("child exited with " + process.exitValue() + " after " + lines.size()
                        + " lines; its stderr is in " + stderr);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("child printed only " + count(prefix) + " '" + prefix + "' lines in "
                        + timeout + "; its stderr is in " + stderr);
            }
            Thread.sleep(10);
        }
    }

    /** kill -9. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
