package dev.myelin.server.cli;

import dev.myelin.platform.config.ConfigTemplate;
import dev.myelin.platform.config.MyelinConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code myelin generate-config}: writes a commented configuration file with every option at its default. */
@Command(name = "generate-config", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class, description = "Write a commented myelin.yaml with every option at its default.")
public final class GenerateConfigCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE (not overwritten) instead of standard output.")
    Path output;

    @Override
    public Integer call() {
        String yaml = ConfigTemplate.render(MyelinConfig.defaults());
        if (output == null) {
            spec.commandLine().getOut().print(yaml);
            spec.commandLine().getOut().flush();
            return 0;
        }
        try {
            Files.writeString(output, yaml, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            return Cli.fail(spec, output + " already exists; not overwriting it");
        } catch (IOException e) {
            return Cli.fail(spec, "cannot write " + output + ": " + e);
        }
        spec.commandLine().getErr().println("myelin: wrote " + output);
        return 0;
    }
}
