package dev.myelin.platform.config;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.Dialect;
import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.id.ServerName;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads {@code myelin.yaml} into a validated {@link MyelinConfig}. Missing options take their defaults; unknown
 * keys, values of the wrong type and values out of range are errors that name the key and say why. Overrides
 * (from the command line) are applied to the file's tree before validation, so they are checked the same way.
 */
public final class ConfigLoader {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Pattern STREAM_PREFIX = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Set<String> LOG_LEVELS = Set.of("error", "warn", "info", "debug", "trace");

    private ConfigLoader() {}

    /** Reads and validates {@code file}, then applies {@code overrides} (dotted key → value). */
    public static MyelinConfig load(Path file, Map<String, String> overrides) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("", "cannot read " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString(), overrides);
    }

    /** Validates YAML text; {@code source} names it in messages (a file name). */
    public static MyelinConfig parse(String yaml, String source, Map<String, String> overrides) {
        ObjectNode tree = readTree(yaml, source);
        overrides.forEach((key, value) -> set(tree, key, value));
        rejectUnknownKeys(tree, knownKeys(), "");
        return read(new Section("", tree));
    }

    private static ObjectNode readTree(String yaml, String source) {
        JsonNode node;
        try {
            node = YAML.readTree(yaml);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            String why = e.getOriginalMessage() == null ? "" : ": " + e.getOriginalMessage().lines().findFirst().orElse("");
            throw new ConfigException("", source + " is not valid YAML" + where + why);
        }
        if (node == null || node.isMissingNode() || node.isNull()) return JsonNodeFactory.instance.objectNode();
        if (!(node instanceof ObjectNode object)) throw new ConfigException("", source + " must be a mapping of option: value");
        return object;
    }

    private static void set(ObjectNode tree, String dottedKey, String value) {
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            node = child instanceof ObjectNode o ? o : node.putObject(parts[i]);
        }
        node.put(parts[parts.length - 1], value);
    }

    private static MyelinConfig read(Section root) {
        MyelinConfig d = MyelinConfig.defaults();
        String serverName = root.string("server_name", d.serverName());
        checkServerName("server_name", serverName);
        Path dataDir = Path.of(root.string("data_dir", d.dataDir().toString()));
        Optional<Path> signingKeyPath = root.optionalString("signing_key_path").map(Path::of);

        HostPort listen = HostPort.parse(root.string("listen", d.listen().toString()), "listen");
        Optional<HostPort> federationListen = root.optionalString("federation_listen").map(s -> HostPort.parse(s, "federation_listen"));
        Optional<Path> tlsCert = root.optionalString("tls_cert").map(Path::of);
        Optional<Path> tlsKey = root.optionalString("tls_key").map(Path::of);
        if (federationListen.isPresent() && (tlsCert.isEmpty() || tlsKey.isEmpty())) {
            throw new ConfigException("federation_listen", "needs tls_cert and tls_key (PEM files)");
        }
        if (federationListen.isEmpty() && (tlsCert.isPresent() || tlsKey.isPresent())) {
            throw new ConfigException(tlsCert.isPresent() ? "tls_cert" : "tls_key", "is set but federation_listen is not");
        }

        Optional<String> publicBaseurl = root.optionalString("public_baseurl").map(ConfigLoader::baseUrl);
        boolean serveWellKnown = root.bool("serve_well_known", d.serveWellKnown());
        Optional<String> wellKnownServer = root.optionalString("well_known_server");
        wellKnownServer.ifPresent(s -> checkServerName("well_known_server", s));

        long maxBody = ByteSize.parse(root.scalar("max_request_body_size", ByteSize.format(d.maxRequestBodySize())), "max_request_body_size");
        if (maxBody < 1024) throw new ConfigException("max_request_body_size", "must be at least 1KiB, got " + maxBody + " bytes");
        List<String> corsOrigins = root.strings("cors_origins", d.corsOrigins());
        for (String origin : corsOrigins) {
            if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
                throw new ConfigException("cors_origins", "each origin must be \"*\" or scheme://host[:port], got '" + origin + "'");
            }
        }
        String logLevel = root.string("log_level", d.logLevel()).toLowerCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(logLevel)) throw new ConfigException("log_level", "must be one of error, warn, info, debug, trace, got '" + logLevel + "'");
        boolean metricsEnabled = root.bool("metrics_enabled", d.metricsEnabled());

        Section db = root.section("database");
        String dialectName = db.string("dialect", "sqlite");
        Dialect dialect = switch (dialectName) {
            case "sqlite" -> Dialect.SQLITE;
            case "postgres" -> Dialect.POSTGRES;
            default -> throw new ConfigException("database.dialect", "must be sqlite or postgres, got '" + dialectName + "'");
        };
        DatabaseConfig dd = d.database();
        int sqliteReaders = db.integer("sqlite_readers", dd.sqliteReaders(), 1, 64);
        Section pg = db.section("postgres");
        String url = pg.string("url", dd.postgresUrl());
        if (!url.startsWith("jdbc:postgresql:")) throw new ConfigException("database.postgres.url", "must start with jdbc:postgresql:, got '" + url + "'");
        var database = new DatabaseConfig(dialect, dataDir, sqliteReaders, url, pg.string("user", dd.postgresUser()),
                pg.string("password", dd.postgresPassword()), pg.integer("pool_size", dd.postgresPoolSize(), 1, 1000), "");

        Section st = root.section("streams");
        String kindName = st.string("kind", d.streams().kind().configName());
        MyelinConfig.StreamsKind kind = switch (kindName) {
            case "in-process" -> MyelinConfig.StreamsKind.IN_PROCESS;
            case "jetstream" -> MyelinConfig.StreamsKind.JETSTREAM;
            default -> throw new ConfigException("streams.kind", "must be in-process or jetstream, got '" + kindName + "'");
        };
        String natsUrl = st.string("nats_url", d.streams().natsUrl());
        for (String server : natsUrl.split(",")) {
            if (!server.trim().matches("(nats|tls|ws|wss)://\\S+")) {
                throw new ConfigException("streams.nats_url", "must be nats://host:port (comma-separated for several), got '" + natsUrl + "'");
            }
        }
        String prefix = st.string("prefix", d.streams().prefix());
        if (!STREAM_PREFIX.matcher(prefix).matches()) {
            throw new ConfigException("streams.prefix", "must be 1–32 letters, digits, '_' or '-', got '" + prefix + "'");
        }

        Section reg = root.section("registration");
        String registrationEnabled = reg.scalar("enabled", d.registration().enabled()).toLowerCase(Locale.ROOT);
        if (!Set.of("auto", "true", "false").contains(registrationEnabled)) {
            throw new ConfigException("registration.enabled", "must be auto, true or false, got '" + registrationEnabled + "'");
        }
        var registration = new MyelinConfig.RegistrationConfig(registrationEnabled,
                reg.bool("requires_token", d.registration().requiresToken()), reg.bool("guests", d.registration().guests()),
                reg.optionalString("shared_secret"));
        Section rl = root.section("rate_limits");
        MyelinConfig.RateLimitsConfig dr = d.rateLimits();
        var rateLimits = new MyelinConfig.RateLimitsConfig(rl.bool("enabled", dr.enabled()),
                rl.integer("login_per_minute", dr.loginPerMinute(), 1, 1_000_000), rl.integer("login_burst", dr.loginBurst(), 1, 1_000_000),
                rl.integer("registration_per_minute", dr.registrationPerMinute(), 1, 1_000_000),
                rl.integer("registration_burst", dr.registrationBurst(), 1, 1_000_000));
        Section tu = root.section("turn");
        var turn = new MyelinConfig.TurnConfig(tu.strings("uris", d.turn().uris()), tu.optionalString("shared_secret"),
                tu.integer("ttl_seconds", d.turn().ttlSeconds(), 60, 7 * 86_400));

        Section me = root.section("media");
        MyelinConfig.MediaConfig dm = d.media();
        long maxUpload = ByteSize.parse(me.scalar("max_upload_size", ByteSize.format(dm.maxUploadSize())), "media.max_upload_size");
        if (maxUpload < 1) throw new ConfigException("media.max_upload_size", "must be at least 1 byte");
        String legacy = me.scalar("legacy_endpoints", dm.legacyEndpoints()).toLowerCase(Locale.ROOT);
        if (!Set.of("frozen", "open", "off").contains(legacy)) {
            throw new ConfigException("media.legacy_endpoints", "must be frozen, open or off, got '" + legacy + "'");
        }
        Optional<String> freezeAt = me.optionalString("legacy_freeze_at");
        freezeAt.ifPresent(t -> {
            try {
                java.time.Instant.parse(t);
            } catch (java.time.format.DateTimeParseException e) {
                throw new ConfigException("media.legacy_freeze_at", "must be an ISO-8601 instant such as 2024-09-01T00:00:00Z, got '" + t + "'");
            }
        });
        Section up = me.section("url_preview");
        MyelinConfig.UrlPreviewConfig du = dm.urlPreview();
        var urlPreview = new MyelinConfig.UrlPreviewConfig(up.bool("enabled", du.enabled()),
                up.strings("deny_ip_ranges", du.denyIpRanges()), up.strings("allow_ip_ranges", du.allowIpRanges()),
                ByteSize.parse(up.scalar("max_size", ByteSize.format(du.maxSize())), "media.url_preview.max_size"),
                up.integer("timeout_seconds", du.timeoutSeconds(), 1, 300));
        var media = new MyelinConfig.MediaConfig(maxUpload,
                me.integer("max_image_pixels", (int) dm.maxImagePixels(), 1, Integer.MAX_VALUE),
                ByteSize.parse(me.scalar("user_quota", ByteSize.format(dm.userQuota())), "media.user_quota"),
                me.strings("thumbnail_sizes", dm.thumbnailSizes()), legacy, freezeAt, urlPreview);

        Section ro = root.section("rooms");
        String defaultRoomVersion = ro.scalar("default_room_version", d.rooms().defaultRoomVersion());
        if (dev.myelin.protocol.room.RoomVersions.find(defaultRoomVersion).isEmpty()) {
            throw new ConfigException("rooms.default_room_version", "must be a supported room version (1–12), got '"
                    + defaultRoomVersion + "'");
        }

        return new MyelinConfig(serverName, dataDir, signingKeyPath, listen, federationListen, tlsCert, tlsKey,
                publicBaseurl, serveWellKnown, wellKnownServer, maxBody, corsOrigins, logLevel, metricsEnabled,
                database, new MyelinConfig.StreamsConfig(kind, natsUrl, prefix),
                registration, rateLimits, turn, media, new MyelinConfig.RoomsConfig(defaultRoomVersion),
                new MyelinConfig.PresenceConfig(root.section("presence").bool("enabled", d.presence().enabled())),
                new MyelinConfig.UserDirectoryConfig(root.section("user_directory").bool("search_all_users",
                        d.userDirectory().searchAllUsers())));
    }

    private static void checkServerName(String key, String value) {
        try {
            ServerName.parse(value);
        } catch (ProtocolException e) {
            throw new ConfigException(key, "must be a host name, IP literal or [IPv6], optionally with :port, got '" + value + "' ("
                    + e.getMessage() + ")");
        }
    }

    private static String baseUrl(String text) {
        try {
            URI uri = new URI(text);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(text, "not an http(s) URL with a host");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException("public_baseurl", "must be an http:// or https:// URL, got '" + text + "'");
        }
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    // --- unknown keys -------------------------------------------------------------------------------------

    private static volatile ObjectNode known;

    /** The key tree of the template: the one list of options that exist. */
    private static ObjectNode knownKeys() {
        ObjectNode k = known;
        if (k == null) known = k = readTree(ConfigTemplate.render(MyelinConfig.defaults()), "template");
        return k;
    }

    private static void rejectUnknownKeys(ObjectNode given, ObjectNode allowed, String prefix) {
        for (String key : given.propertyNames()) {
            JsonNode expected = allowed.get(key);
            if (expected == null) {
                String hint = closest(key, allowed.propertyNames()).map(s -> " (did you mean '" + prefix + s + "'?)").orElse("");
                throw new ConfigException("", "unknown key '" + prefix + key + "'" + hint);
            }
            JsonNode value = given.get(key);
            if (expected instanceof ObjectNode section) {
                if (value instanceof ObjectNode object) rejectUnknownKeys(object, section, prefix + key + ".");
                else if (!value.isNull()) throw new ConfigException(prefix + key, "must be a section of options, not a single value");
            }
        }
    }

    private static Optional<String> closest(String key, Iterable<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(key, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 3) ? Optional.ofNullable(best) : Optional.empty();
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    // --- typed reads ----------------------------------------------------------------------------------------

    /** One mapping of the file, read with typed accessors that name the key in every error. */
    private record Section(String prefix, ObjectNode node) {
        Section section(String key) {
            JsonNode child = node.get(key);
            return new Section(prefix + key + ".", child instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode());
        }

        /** A scalar as text, or {@code null} when missing, null or empty. */
        private String raw(String key) {
            JsonNode value = node.get(key);
            if (value == null || value.isNull()) return null;
            if (!value.isValueNode()) throw new ConfigException(prefix + key, "must be a single value, not a list or section");
            String text = value.asString();
            return text.isEmpty() ? null : text;
        }

        String scalar(String key, String defaultValue) {
            String text = raw(key);
            return text == null ? defaultValue : text;
        }

        String string(String key, String defaultValue) {
            JsonNode value = node.get(key);
            if (value != null && (value.isBoolean() || value.isNumber()) && !key.equals("password")) {
                throw new ConfigException(prefix + key, "must be text, got " + value);
            }
            return scalar(key, defaultValue);
        }

        Optional<String> optionalString(String key) {
            return Optional.ofNullable(raw(key));
        }

        boolean bool(String key, boolean defaultValue) {
            JsonNode value = node.get(key);
            if (value == null || value.isNull()) return defaultValue;
            if (value.isBoolean()) return value.booleanValue();
            String text = value.isString() ? value.stringValue() : value.toString();
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new ConfigException(prefix + key, "must be true or false, got '" + text + "'");
            };
        }

        int integer(String key, int defaultValue, int min, int max) {
            String text = raw(key);
            if (text == null) return defaultValue;
            long n;
            try {
                n = Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(prefix + key, "must be a whole number, got '" + text + "'");
            }
            if (n < min || n > max) throw new ConfigException(prefix + key, "must be " + min + "–" + max + ", got " + n);
            return (int) n;
        }

        List<String> strings(String key, List<String> defaultValue) {
            JsonNode value = node.get(key);
            if (value == null || value.isNull()) return defaultValue;
            if (value.isValueNode()) return List.of(value.asString().split("\\s*,\\s*"));
            List<String> list = new ArrayList<>();
            for (JsonNode item : value.values()) {
                if (!item.isValueNode() || item.isNull()) throw new ConfigException(prefix + key, "must be a list of text values");
                list.add(item.asString());
            }
            return list;
        }
    }
}
