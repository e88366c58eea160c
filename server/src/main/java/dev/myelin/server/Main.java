package dev.myelin.server;

import dev.myelin.server.cli.MyelinCommand;

/**
 * Entry point of the runnable jar. The command line is in {@link MyelinCommand}; {@code myelin run} starts the
 * server through {@link dev.myelin.server.cli.RunCommand} and {@link MyelinServer}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(MyelinCommand.commandLine().execute(args));
    }
}
