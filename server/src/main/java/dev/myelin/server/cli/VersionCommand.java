package dev.myelin.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code myelin version}: prints the version of this build. */
@Command(name = "version", description = "Print the version of Myelin.")
public final class VersionCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** The project version this jar was built from, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("/dev/myelin/server/version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public Integer call() {
        spec.commandLine().getOut().println("myelin " + version());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** Lets {@code myelin --version} print the same. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() { return new String[] {"myelin " + version()}; }
    }
}
