package dev.myelin.protocol;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the differential-test oracle (python_oracle.py) under Debian's /usr/bin/python3 with python3-canonicaljson
 * and python3-signedjson. Tests skip when those are missing, unless MYELIN_REQUIRE_SERVICES=1 makes them fail.
 */
public final class PythonOracle {

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private PythonOracle() {}

    /** Skips (or, with MYELIN_REQUIRE_SERVICES=1, fails) the calling test when the oracle cannot run. */
    public static void assumeAvailable() {
        String problem = null;
        if (!Files.isExecutable(PYTHON)) {
            problem = PYTHON + " is missing";
        } else {
            try {
                Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import canonicaljson, signedjson, nacl")
                        .redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    problem = PYTHON + " lacks canonicaljson/signedjson (apt-get install python3-canonicaljson python3-signedjson)";
                }
            } catch (IOException | InterruptedException e) {
                problem = "cannot run " + PYTHON + ": " + e.getMessage();
            }
        }
        if (problem == null) return;
        if ("1".equals(System.getenv("MYELIN_REQUIRE_SERVICES"))) fail(problem);
        Assumptions.abort("skipped: " + problem);
    }

    /** Sends one case per line to the oracle in {@code mode} and returns its answers, one per case. */
    public static List<String> run(String mode, List<String> cases) throws IOException, InterruptedException {
        Path script = Files.createTempFile("myelin-oracle", ".py");
        Path input = Files.createTempFile("myelin-oracle", ".in");
        try (InputStream in = PythonOracle.class.getResourceAsStream("python_oracle.py")) {
            Files.write(script, in.readAllBytes());
            Files.writeString(input, String.join("\n", cases) + "\n", StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), mode)
                    .redirectInput(input.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("the python oracle did not finish");
            }
            List<String> answers = out.lines().toList();
            if (answers.size() != cases.size()) {
                fail("the python oracle answered " + answers.size() + " of " + cases.size() + " cases (exit " + p.exitValue() + ")");
            }
            return answers;
        } finally {
            Files.deleteIfExists(script);
            Files.deleteIfExists(input);
        }
    }
}
