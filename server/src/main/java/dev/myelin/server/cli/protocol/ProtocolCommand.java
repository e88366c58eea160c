package dev.myelin.server.cli.protocol;

import picocli.CommandLine.Command;

/** {@code myelin protocol …}: the protocol library on the command line, for operators and differential tests. */
@Command(
        name = "protocol",
        description = "Matrix protocol tools: read JSON on standard input, write the answer on standard output.",
        mixinStandardHelpOptions = true,
        subcommands = {
            CanonicalJsonCommand.class,
            EventIdCommand.class,
            ContentHashCommand.class,
            RedactCommand.class,
            SignCommand.class,
            VerifyCommand.class,
            AuthCommand.class,
            ResolveCommand.class,
        })
public final class ProtocolCommand {}
