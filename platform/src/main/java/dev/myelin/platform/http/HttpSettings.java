package dev.myelin.platform.http;

import java.time.Duration;
import java.util.List;

/**
 * How the HTTP layer behaves, whatever the listener: the body size limit for endpoints that set none, the
 * origins CORS allows ({@code *} for any), and how long a graceful stop waits for requests in flight.
 */
public record HttpSettings(long maxBodyBytes, List<String> corsOrigins, Duration stopTimeout) {
    public static final long MIB = 1024 * 1024;

    public HttpSettings {
        if (maxBodyBytes <= 0) throw new IllegalArgumentException("maxBodyBytes must be positive");
        corsOrigins = List.copyOf(corsOrigins);
    }

    /** 1 MiB bodies, any origin, 10 s to finish requests in flight. */
    public static HttpSettings defaults() {
        return new HttpSettings(MIB, List.of("*"), Duration.ofSeconds(10));
    }
}
