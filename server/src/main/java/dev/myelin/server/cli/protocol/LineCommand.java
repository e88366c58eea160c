package dev.myelin.server.cli.protocol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * The shape every {@code myelin protocol} subcommand shares: one JSON input on standard input, one answer on
 * standard output, exit 0; or, on failure, a one-line reason on standard error and exit 1. With {@code --lines}
 * each line of input is one case and gets one line of answer ({@code error: reason} for a failed case), exit 0.
 */
abstract class LineCommand implements Callable<Integer> {

    @Option(names = "--lines", description = "Read one JSON input per line; write one answer per line.")
    boolean lines;

    /** Thrown by {@link #answer} for a case that fails with a reason a user should read. */
    static final class CaseFailure extends Exception {
        CaseFailure(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The answer for one input (without a trailing newline). */
    abstract String answer(String input) throws CaseFailure;

    @Override
    public final Integer call() throws IOException {
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        var out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        if (lines) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) continue;
                out.println(safeAnswer(line));
            }
            out.flush();
            return 0;
        }
        var whole = new java.io.StringWriter();
        in.transferTo(whole);
        String result = safeAnswer(whole.toString());
        if (result.startsWith("error: ")) {
            System.err.println(result.substring("error: ".length()));
            return 1;
        }
        out.println(result);
        out.flush();
        return 0;
    }

    private String safeAnswer(String input) {
        try {
            return answer(input);
        } catch (CaseFailure e) {
            return "error: " + oneLine(e.getMessage());
        } catch (RuntimeException e) {
            // why: the tool must never die on one bad case in --lines mode; the reason still says what broke.
            return "error: " + oneLine(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static String oneLine(String s) {
        return s == null ? "failed" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
