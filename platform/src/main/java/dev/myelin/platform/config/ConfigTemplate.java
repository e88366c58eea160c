package dev.myelin.platform.config;

import java.util.stream.Collectors;

/**
 * The commented {@code myelin.yaml} that {@code myelin generate-config} writes and a first {@code myelin run}
 * creates: every option, its default and one line on what it does. It is also the list of known keys: a key
 * not in it is an error when loading.
 */
public final class ConfigTemplate {
    private ConfigTemplate() {}

    /** The template filled with the values of {@code c} (normally {@link MyelinConfig#defaults()}). */
    public static String render(MyelinConfig c) {
        String cors = c.corsOrigins().stream().map(o -> "\"" + o + "\"").collect(Collectors.joining(", ", "[", "]"));
        return """
                # Myelin configuration. Every option is listed with its default; an empty value means "derived" or "off".
                # Command-line options of `myelin run` (--server-name, --data-dir, --listen, …) override this file.

                # The domain in user and room IDs (@alice:example.org). It cannot change once the server has users.
                server_name: %s
                # Where SQLite databases, media and the signing key are kept.
                data_dir: %s
                # The server's ed25519 signing key (Synapse format). Empty: <data_dir>/signing.key, created on first run.
                signing_key_path:%s

                # Plain-HTTP listener, host:port, for the client AND federation APIs (put a TLS proxy in front for the internet).
                listen: %s
                # Optional TLS listener for federation, host:port (e.g. 0.0.0.0:8448). Empty: none. Needs tls_cert and tls_key.
                federation_listen:%s
                # PEM certificate chain of federation_listen.
                tls_cert:%s
                # PEM private key of federation_listen (PKCS#8, RSA or EC).
                tls_key:%s

                # The URL clients use to reach this server, for /.well-known/matrix/client. Empty: http://<listen address>.
                public_baseurl:%s
                # Answer /.well-known/matrix/client and /.well-known/matrix/server.
                serve_well_known: %s
                # What /.well-known/matrix/server answers (host:port of federation). Empty: <server_name>:<federation_listen port>, or not served.
                well_known_server:%s

                # Largest request body accepted, e.g. 1MiB, 512KiB (endpoints such as media upload set their own limit).
                max_request_body_size: %s
                # Origins allowed by CORS on the client API; "*" for any (web clients on any site).
                cors_origins: %s
                # Log level: error, warn, info, debug or trace. The environment variable MYELIN_LOG_LEVEL overrides it.
                log_level: %s
                # Serve Prometheus metrics at /metrics on the listeners.
                metrics_enabled: %s

                database:
                  # sqlite (files under data_dir, nothing to install) or postgres.
                  dialect: %s
                  # Read-only connections per SQLite file (besides its one writer).
                  sqlite_readers: %d
                  # Used when dialect is postgres: one database, one schema per component.
                  postgres:
                    # JDBC URL of the database.
                    url: %s
                    user: %s
                    password: %s
                    # Connections per component, for writes and again for reads.
                    pool_size: %d

                streams:
                  # in-process (one process, durable in the database) or jetstream (NATS, for several processes).
                  kind: %s
                  # NATS server(s) when kind is jetstream, comma-separated.
                  nats_url: %s
                  # Prefix of stream and subject names, so several deployments can share one NATS.
                  prefix: %s

                registration:
                  # Open registration: auto (open only while every listener is loopback, e.g. the embedded default), true or false.
                  enabled: %s
                  # Registration needs a token (m.login.registration_token), made with the admin API /_synapse/admin/v1/registration_tokens.
                  requires_token: %s
                  # Allow guest accounts (POST /register?kind=guest).
                  guests: %s
                  # Shared secret of /_synapse/admin/v1/register (register_new_matrix_user, synadm). Empty: off.
                  shared_secret:%s

                # Login and registration attempts, per client address and per account: a steady rate and a burst.
                rate_limits:
                  enabled: %s
                  login_per_minute: %d
                  login_burst: %d
                  registration_per_minute: %d
                  registration_burst: %d

                # TURN servers handed to clients for calls (GET /voip/turnServer). Empty: none.
                turn:
                  # e.g. ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"]
                  uris: %s
                  # coturn's static-auth-secret; credentials are derived from it.
                  shared_secret:%s
                  # Lifetime of handed-out credentials, in seconds.
                  ttl_seconds: %d

                # The media repository. Files are kept under <data_dir>/media, named by their SHA-256 (identical files once).
                media:
                  # Largest upload, e.g. 50MiB (clients see it as m.upload.size).
                  max_upload_size: %s
                  # Images with more pixels (width x height) are not thumbnailed (decompression bombs).
                  max_image_pixels: %d
                  # Total bytes one user may upload; 0: no quota.
                  user_quota: %s
                  # Thumbnails made at upload and preferred when clients ask: "WIDTHxHEIGHT crop|scale".
                  thumbnail_sizes: %s
                  # The unauthenticated /_matrix/media/v3/download and /thumbnail endpoints (deprecated in Matrix 1.11):
                  # frozen (serve only media older than legacy_freeze_at), open (serve everything) or off.
                  legacy_endpoints: %s
                  # With frozen: media uploaded before this instant (e.g. 2024-09-01T00:00:00Z) stays on the old endpoints. Empty: none.
                  legacy_freeze_at:%s
                  url_preview:
                    # Let users ask the server to fetch a URL for a preview (GET /_matrix/client/v1/media/preview_url).
                    enabled: %s
                    # CIDR ranges refused besides the built-in private, loopback, link-local and reserved ones.
                    deny_ip_ranges: %s
                    # CIDR ranges allowed even if refused (e.g. an intranet wiki). Use with care.
                    allow_ip_ranges: %s
                    # Largest page or image fetched.
                    max_size: %s
                    # Time limit of one fetch, in seconds.
                    timeout_seconds: %d

                # Rooms created on this server.
                rooms:
                  # The version of new rooms unless the client asks for another (1–12).
                  default_room_version: %s

                # Presence (online, unavailable, offline and status messages) shown to users who share a room.
                presence:
                  # false: nothing is stored or sent; /presence answers "offline" and ignores updates, /sync has no presence.
                  enabled: %s

                # POST /_matrix/client/v3/user_directory/search.
                user_directory:
                  # true: every local user can be found; false: only users who share a room with the searcher or are in
                  # a public room.
                  search_all_users: %s
                """.formatted(
                scalar(c.serverName()),
                scalar(c.dataDir().toString()),
                optional(c.signingKeyPath().map(Object::toString).orElse(null)),
                scalar(c.listen().toString()),
                optional(c.federationListen().map(Object::toString).orElse(null)),
                optional(c.tlsCert().map(Object::toString).orElse(null)),
                optional(c.tlsKey().map(Object::toString).orElse(null)),
                optional(c.publicBaseurl().orElse(null)),
                c.serveWellKnown(),
                optional(c.wellKnownServerName().orElse(null)),
                ByteSize.format(c.maxRequestBodySize()),
                cors,
                scalar(c.logLevel()),
                c.metricsEnabled(),
                c.database().dialect().name().toLowerCase(java.util.Locale.ROOT),
                c.database().sqliteReaders(),
                scalar(c.database().postgresUrl()),
                scalar(c.database().postgresUser()),
                quoted(c.database().postgresPassword()),
                c.database().postgresPoolSize(),
                c.streams().kind().configName(),
                scalar(c.streams().natsUrl()),
                scalar(c.streams().prefix()),
                scalar(c.registration().enabled()),
                c.registration().requiresToken(),
                c.registration().guests(),
                optional(c.registration().sharedSecret().orElse(null)),
                c.rateLimits().enabled(),
                c.rateLimits().loginPerMinute(),
                c.rateLimits().loginBurst(),
                c.rateLimits().registrationPerMinute(),
                c.rateLimits().registrationBurst(),
                c.turn().uris().stream().map(ConfigTemplate::quoted).collect(Collectors.joining(", ", "[", "]")),
                optional(c.turn().sharedSecret().orElse(null)),
                c.turn().ttlSeconds(),
                ByteSize.format(c.media().maxUploadSize()),
                c.media().maxImagePixels(),
                ByteSize.format(c.media().userQuota()),
                c.media().thumbnailSizes().stream().map(ConfigTemplate::quoted).collect(Collectors.joining(", ", "[", "]")),
                scalar(c.media().legacyEndpoints()),
                optional(c.media().legacyFreezeAt().orElse(null)),
                c.media().urlPreview().enabled(),
                c.media().urlPreview().denyIpRanges().stream().map(ConfigTemplate::quoted).collect(Collectors.joining(", ", "[", "]")),
                c.media().urlPreview().allowIpRanges().stream().map(ConfigTemplate::quoted).collect(Collectors.joining(", ", "[", "]")),
                ByteSize.format(c.media().urlPreview().maxSize()),
                c.media().urlPreview().timeoutSeconds(),
                scalar(c.rooms().defaultRoomVersion()),
                c.presence().enabled(),
                c.userDirectory().searchAllUsers());
    }

    private static String optional(String value) {
        return value == null ? "" : " " + scalar(value);
    }

    /** A YAML scalar: plain when that is unambiguous, double-quoted otherwise. */
    private static String scalar(String value) {
        boolean plain = value.matches("[A-Za-z0-9._/][A-Za-z0-9._/:@-]*") && !value.matches("(?i)true|false|null|yes|no|on|off|~|[0-9.]+");
        return plain ? value : quoted(value);
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
