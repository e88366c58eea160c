package dev.myelin.server.cli;

import picocli.CommandLine;

/** How every command reports a failure: one line on standard error, exit code 1. */
final class Cli {
    static final int FAILED = 1;

    private Cli() {}

    static int fail(CommandLine.Model.CommandSpec spec, String message) {
        spec.commandLine().getErr().println("myelin: " + message);
        spec.commandLine().getErr().flush();
        return FAILED;
    }
}
