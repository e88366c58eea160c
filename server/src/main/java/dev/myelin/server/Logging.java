package dev.myelin.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.LoggerFactory;

/**
 * Myelin's logging: one line per event on standard error (standard output is for command output), with the
 * request ID of the request being served, e.g.
 * {@code 2026-11-22T03:40:01.123Z WARN  [k3x9p2m1qa] MatrixHandler: …}. Found by Logback through
 * {@code META-INF/services}; set up in code rather than logback.xml because parsing XML costs a tenth of the
 * start-up time. {@code -Dlogback.configurationFile=…} still replaces it for operators who want their own.
 */
public final class Logging extends ContextAwareBase implements Configurator {
    /** Overrides {@code log_level} from the configuration file. */
    public static final String LEVEL_ENV = "MYELIN_LOG_LEVEL";

    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level [%X{request_id:--}] %logger{0}: %msg%n";

    public Logging() {}

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("stderr");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(stderr);
        Level level = Level.toLevel(System.getenv(LEVEL_ENV), Level.INFO);
        root.setLevel(level);
        context.getLogger("org.eclipse.jetty").setLevel(level.isGreaterOrEqual(Level.INFO) ? Level.WARN : level);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Applies {@code MYELIN_LOG_LEVEL} if set, else {@code configured}.
     *
     * @throws StartupFailure when {@code MYELIN_LOG_LEVEL} is not a level
     */
    public static void applyLevel(String configured) throws StartupFailure {
        String env = System.getenv(LEVEL_ENV);
        if (env == null || env.isBlank()) {
            setLevel(configured);
        } else if (java.util.Set.of("error", "warn", "info", "debug", "trace").contains(env.trim().toLowerCase(java.util.Locale.ROOT))) {
            setLevel(env.trim());
        } else {
            throw new StartupFailure(LEVEL_ENV + " must be one of error, warn, info, debug, trace, got '" + env + "'");
        }
    }

    /** Applies {@code level} (error … trace) to Myelin's loggers; Jetty stays at warn (info when debugging). */
    public static void setLevel(String level) {
        Level parsed = Level.toLevel(level, Level.INFO);
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(parsed);
        // why: Jetty's DEBUG dumps raw request buffers, passwords and access tokens included; never below INFO
        ((Logger) LoggerFactory.getLogger("org.eclipse.jetty")).setLevel(parsed.isGreaterOrEqual(Level.INFO) ? Level.WARN : Level.INFO);
    }
}
