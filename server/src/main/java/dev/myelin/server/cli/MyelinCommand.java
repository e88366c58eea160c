package dev.myelin.server.cli;

import dev.myelin.server.cli.protocol.ProtocolCommand;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code myelin}: the top command; each subcommand is one thing an operator does. */
@Command(
        name = "myelin",
        description = "A Matrix homeserver.",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        subcommands = {
            RunCommand.class,
            GenerateConfigCommand.class,
            GenerateKeysCommand.class,
            CreateAccountCommand.class,
            VersionCommand.class,
            ProtocolCommand.class,
        })
public final class MyelinCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** The command line ready to {@code execute(args)}; exit codes: 0 done, 1 failed, 2 bad usage. */
    public static CommandLine commandLine() {
        return new CommandLine(new MyelinCommand()).setExecutionExceptionHandler((e, commandLine, parsed) -> {
            // why: an operator gets one line; the stack trace (a bug) goes to the log at debug level
            LoggerFactory.getLogger(MyelinCommand.class).debug("unexpected error", e);
            commandLine.getErr().println("myelin: unexpected error: " + e + " (MYELIN_LOG_LEVEL=debug shows where)");
            commandLine.getErr().flush();
            return Cli.FAILED;
        });
    }

    @Override
    public void run() {
        // why: `myelin` alone is a question, not an error: show what it can do
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
