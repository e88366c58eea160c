package dev.myelin.platform.stream;

import java.util.regex.Pattern;

/**
 * How Myelin names things in NATS, under one deployment prefix (so deployments and test runs sharing a NATS
 * server never see each other): JetStream stream {@code <prefix>_<stream>} on subject
 * {@code <prefix>.stream.<stream>}; ephemeral streams on subject {@code <prefix>.ephemeral.<stream>}.
 */
public record NatsNames(String prefix) {

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    public NatsNames {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("NATS prefix must match [A-Za-z0-9_-]{1,32}: " + prefix);
        }
    }

    public String jetStreamName(StreamDefinition<?> stream) {
        return prefix + "_" + stream.name();
    }

    public String durableSubject(StreamDefinition<?> stream) {
        return prefix + ".stream." + stream.name();
    }

    public String ephemeralSubject(StreamDefinition<?> stream) {
        return prefix + ".ephemeral." + stream.name();
    }
}
