package dev.myelin.server.cli;

import dev.myelin.platform.config.ConfigException;
import dev.myelin.platform.config.ConfigLoader;
import dev.myelin.platform.config.MyelinConfig;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.Databases;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.server.DataDir;
import dev.myelin.server.StartupFailure;
import dev.myelin.userapi.api.Account;
import dev.myelin.userapi.internal.LocalUserApi;
import dev.myelin.userapi.internal.UserApiSettings;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code myelin create-account USERNAME [--admin]}: creates a local account directly in the userapi database
 * (the server may be running or not). The password is asked on the terminal, or with {@code --password-stdin}
 * read as the first line of standard input, so it never shows in the process list or shell history.
 */
@Command(name = "create-account", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class, description = "Create a local user account (asks for its password).")
public final class CreateAccountCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "USERNAME", description = "The localpart, e.g. alice for @alice:<server_name>.")
    String username;

    @Option(names = "--admin", description = "Make the account a server admin.")
    boolean admin;

    @Option(names = "--password-stdin", description = "Read the password from the first line of standard input (for scripts).")
    boolean passwordStdin;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Configuration file (default: ./myelin.yaml if present).")
    Path configFile;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Overrides data_dir.")
    String dataDir;

    @Option(names = "--server-name", paramLabel = "NAME", description = "Overrides server_name.")
    String serverName;

    @Override
    public Integer call() {
        try {
            MyelinConfig config = loadConfig();
            String password = readPassword();
            DataDir.prepare(config.dataDir());
            try (Database db = Databases.open(config.database(), "userapi")) {
                LocalUserApi users = new LocalUserApi(db, UserApiSettings.defaults(config.serverName()), Clock.systemUTC(),
                        new SecureRandom());
                Account account = users.createAccount(username.toLowerCase(java.util.Locale.ROOT), Optional.of(password), false, admin);
                spec.commandLine().getOut().println("myelin: created " + account.userId() + (admin ? " (admin)" : ""));
                spec.commandLine().getOut().flush();
            }
            return 0;
        } catch (MatrixException e) {
            return Cli.fail(spec, e.getMessage() + " (" + e.errcode() + ")");
        } catch (StartupFailure | ConfigException | IllegalArgumentException e) {
            return Cli.fail(spec, e.getMessage());
        }
    }

    private MyelinConfig loadConfig() throws StartupFailure {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (dataDir != null) overrides.put("data_dir", dataDir);
        if (serverName != null) overrides.put("server_name", serverName);
        if (configFile != null) {
            if (!Files.exists(configFile)) throw new StartupFailure("configuration file " + configFile + " does not exist");
            return ConfigLoader.load(configFile, overrides);
        }
        if (Files.exists(RunCommand.DEFAULT_CONFIG)) return ConfigLoader.load(RunCommand.DEFAULT_CONFIG, overrides);
        return ConfigLoader.parse("", "command line", overrides);
    }

    private String readPassword() throws StartupFailure {
        Console console = System.console();
        if (!passwordStdin) {
            if (console == null) throw new StartupFailure("no terminal to ask the password on; use --password-stdin");
            char[] first = console.readPassword("Password for %s: ", username);
            char[] second = console.readPassword("Again: ");
            if (first == null || second == null || !Arrays.equals(first, second)) throw new StartupFailure("the passwords differ");
            if (first.length == 0) throw new StartupFailure("the password must not be empty");
            return new String(first);
        }
        try {
            // why: not the Console, which on newer JDKs exists even when standard input is a pipe
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) throw new StartupFailure("no password on standard input");
            return line;
        } catch (IOException e) {
            throw new StartupFailure("cannot read the password: " + e.getMessage());
        }
    }
}
