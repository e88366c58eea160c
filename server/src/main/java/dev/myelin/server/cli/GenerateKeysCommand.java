package dev.myelin.server.cli;

import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.server.SigningKeyFile;
import dev.myelin.server.StartupFailure;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code myelin generate-keys}: a new ed25519 signing key in Synapse's format. */
@Command(name = "generate-keys", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class, description = "Generate a server signing key (ed25519, Synapse's file format).")
public final class GenerateKeysCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE (created owner-only, never overwritten) instead of standard output.")
    Path output;

    @Override
    public Integer call() {
        SigningKey key = SigningKey.generate(new SecureRandom());
        if (output == null) {
            spec.commandLine().getOut().print(key.format());
            spec.commandLine().getOut().flush();
            return 0;
        }
        try {
            SigningKeyFile.write(output, key);
        } catch (StartupFailure e) {
            return Cli.fail(spec, e.getMessage());
        }
        spec.commandLine().getErr().println("myelin: wrote signing key " + key.keyId() + " to " + output);
        return 0;
    }
}
