package dev.myelin.platform.config;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Dialect;
import dev.myelin.platform.db.PostgresDatabase;
import dev.myelin.platform.db.SqliteDatabase;
import dev.myelin.protocol.id.ServerName;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The whole configuration of a Myelin process, as read from {@code myelin.yaml} (see {@link ConfigLoader}) and
 * already validated. Every option has a default ({@link #defaults()}); options left empty are derived from
 * others by the accessors below. The database settings are the database layer's own {@link DatabaseConfig}, with
 * SQLite files directly under {@code data_dir}; ({@link #signingKeyFile()}, {@link #publicBaseUrl()}, {@link #wellKnownServer()}).
 */
public record MyelinConfig(
        String serverName,
        Path dataDir,
        Optional<Path> signingKeyPath,
        HostPort listen,
        Optional<HostPort> federationListen,
        Optional<Path> tlsCert,
        Optional<Path> tlsKey,
        Optional<String> publicBaseurl,
        boolean serveWellKnown,
        Optional<String> wellKnownServerName,
        long maxRequestBodySize,
        List<String> corsOrigins,
        String logLevel,
        boolean metricsEnabled,
        DatabaseConfig database,
        StreamsConfig streams,
        RegistrationConfig registration,
        RateLimitsConfig rateLimits,
        TurnConfig turn,
        MediaConfig media,
        RoomsConfig rooms,
        PresenceConfig presence,
        UserDirectoryConfig userDirectory) {

    public MyelinConfig {
        corsOrigins = List.copyOf(corsOrigins);
        if (database.dialect() == Dialect.SQLITE && !database.sqliteDirectory().equals(dataDir)) {
            throw new IllegalArgumentException("SQLite files live in data_dir " + dataDir + ", not " + database.sqliteDirectory());
        }
    }

    /**
     * Who may create accounts. {@code enabled} is {@code auto} (open iff every listener is loopback), {@code true} or
     * {@code false}; {@code sharedSecret} turns on Synapse-style shared-secret registration.
     */
    public record RegistrationConfig(String enabled, boolean requiresToken, boolean guests, Optional<String> sharedSecret) {
        @Override
        public String toString() { // why: configs get logged; the secret must not be
            return "RegistrationConfig[enabled=" + enabled + ", requiresToken=" + requiresToken + ", guests=" + guests
                    + ", sharedSecret=" + (sharedSecret.isPresent() ? "***" : "none") + "]";
        }
    }

    /** Login and registration rate limits, per client address and per account: a refill rate and a burst. */
    public record RateLimitsConfig(boolean enabled, int loginPerMinute, int loginBurst, int registrationPerMinute,
            int registrationBurst) {}

    /** Rooms made on this server: the version of new rooms unless a client asks for another. */
    public record RoomsConfig(String defaultRoomVersion) {}

    /** Presence ({@code presence:}): when off, nothing is stored or sent and the endpoints answer as Synapse does. */
    public record PresenceConfig(boolean enabled) {}

    /**
     * The user directory ({@code user_directory:}): with {@code searchAllUsers} every local user is found, otherwise
     * only users who share a room with the searcher or are in a public room.
     */
    public record UserDirectoryConfig(boolean searchAllUsers) {}

    /** TURN servers for VoIP and coturn's {@code static-auth-secret} that credentials are derived from. */
    public record TurnConfig(List<String> uris, Optional<String> sharedSecret, int ttlSeconds) {
        public TurnConfig {
            uris = List.copyOf(uris);
        }

        @Override
        public String toString() {
            return "TurnConfig[uris=" + uris + ", sharedSecret=" + (sharedSecret.isPresent() ? "***" : "none") + ", ttl=" + ttlSeconds + "]";
        }
    }

    /**
     * The media repository ({@code media:}). Thumbnail sizes are {@code "WIDTHxHEIGHT crop|scale"}; IP ranges are
     * CIDR; both are checked by the media component when it starts.
     *
     * @param legacyEndpoints {@code frozen} (the spec's freeze: the unauthenticated download and thumbnail endpoints
     *                        serve only media older than {@code legacyFreezeAt}), {@code open} or {@code off}
     */
    public record MediaConfig(long maxUploadSize, long maxImagePixels, long userQuota, List<String> thumbnailSizes,
            String legacyEndpoints, Optional<String> legacyFreezeAt, UrlPreviewConfig urlPreview) {
        public MediaConfig {
            thumbnailSizes = List.copyOf(thumbnailSizes);
        }
    }

    /** URL previews: off by default; private, loopback and link-local addresses are always refused unless allowed. */
    public record UrlPreviewConfig(boolean enabled, List<String> denyIpRanges, List<String> allowIpRanges, long maxSize,
            int timeoutSeconds) {
        public UrlPreviewConfig {
            denyIpRanges = List.copyOf(denyIpRanges);
            allowIpRanges = List.copyOf(allowIpRanges);
        }
    }

    /** How components pass stream records: inside this process, or through NATS JetStream. */
    public record StreamsConfig(StreamsKind kind, String natsUrl, String prefix) {}

    public enum StreamsKind {
        IN_PROCESS("in-process"),
        JETSTREAM("jetstream");

        private final String configName;

        StreamsKind(String configName) { this.configName = configName; }

        /** The name used in the configuration file. */
        public String configName() { return configName; }
    }

    /** This configuration on other storage (tests run one server on each dialect's fixture). */
    public MyelinConfig withDatabase(DatabaseConfig other) {
        return new MyelinConfig(serverName, dataDir, signingKeyPath, listen, federationListen, tlsCert, tlsKey,
                publicBaseurl, serveWellKnown, wellKnownServerName, maxRequestBodySize, corsOrigins, logLevel,
                metricsEnabled, other, streams, registration, rateLimits, turn, media, rooms, presence, userDirectory);
    }

    public static MyelinConfig defaults() {
        return new MyelinConfig(
                "localhost",
                Path.of("./data"),
                Optional.empty(),
                new HostPort("127.0.0.1", 8008),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                true,
                Optional.empty(),
                1L << 20,
                List.of("*"),
                "info",
                true,
                new DatabaseConfig(Dialect.SQLITE, Path.of("./data"), SqliteDatabase.DEFAULT_READERS,
                        "jdbc:postgresql://127.0.0.1:5432/myelin", "myelin", "", PostgresDatabase.DEFAULT_POOL_SIZE, ""),
                new StreamsConfig(StreamsKind.IN_PROCESS, "nats://127.0.0.1:4222", "myelin"),
                new RegistrationConfig("auto", false, false, Optional.empty()),
                new RateLimitsConfig(true, 12, 5, 12, 5),
                new TurnConfig(List.of(), Optional.empty(), 86_400),
                new MediaConfig(50L << 20, 32_000_000L, 0, List.of("32x32 crop", "96x96 crop", "320x240 scale", "640x480 scale",
                        "800x600 scale"), "frozen", Optional.empty(), new UrlPreviewConfig(false, List.of(), List.of(), 10L << 20, 10)),
                new RoomsConfig(dev.myelin.protocol.room.RoomVersions.DEFAULT.id()),
                new PresenceConfig(true),
                new UserDirectoryConfig(false));
    }

    /** Whether anyone may register: {@code registration.enabled}, where {@code auto} means "every listener is loopback". */
    public boolean registrationOpen() {
        return switch (registration.enabled()) {
            case "true" -> true;
            case "false" -> false;
            default -> listen.isLoopback() && federationListen.map(HostPort::isLoopback).orElse(true);
        };
    }

    /** The signing key file: {@code signing_key_path}, or {@code <data_dir>/signing.key}. */
    public Path signingKeyFile() {
        return signingKeyPath.orElse(dataDir.resolve("signing.key"));
    }

    /** The URL clients reach this server at: {@code public_baseurl}, or http:// and the listen address. */
    public String publicBaseUrl() {
        if (publicBaseurl.isPresent()) return publicBaseurl.get();
        String host = listen.isWildcard() ? serverNameHost() : listen.host();
        return "http://" + new HostPort(host, listen.port());
    }

    /**
     * What {@code /.well-known/matrix/server} answers: {@code well_known_server}, or the server name with the
     * federation TLS port; empty (not served) when neither is set.
     */
    public Optional<String> wellKnownServer() {
        if (wellKnownServerName.isPresent()) return wellKnownServerName;
        return federationListen.map(l -> serverNameHost() + ":" + l.port());
    }

    /** The host of the server name, without a port (example.org:8448 → example.org) and without IPv6 brackets. */
    private String serverNameHost() {
        String host = ServerName.parse(serverName).host();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }
}
