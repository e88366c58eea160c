package dev.myelin.platform.http;

import dev.myelin.platform.metrics.Metrics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The endpoints that describe the server rather than serve data: {@code /_matrix/client/versions},
 * {@code /.well-known/matrix/client}, {@code /.well-known/matrix/server} and {@code /metrics}.
 */
public final class ServerInfoRoutes {
    /**
     * The spec versions advertised to clients. A client takes each listed version as a promise that all of its
     * endpoints work, so a version goes here only when its client-server basics (registration, login, rooms,
     * sync) are served. v1.11 is where authenticated media begins: without it clients fall back to the frozen
     * legacy media endpoints. Later versions are added once what they add to the client-server API is served.
     */
    public static final List<String> SPEC_VERSIONS = List.of(
            "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11");

    /** Unstable features (MSCs) switched on, by their {@code unstable_features} name. */
    public static final Map<String, Boolean> UNSTABLE_FEATURES = Map.of();

    private ServerInfoRoutes() {}

    /** https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientversions */
    public static void addVersions(Router router) {
        Map<String, Object> body = Map.of("versions", SPEC_VERSIONS, "unstable_features", UNSTABLE_FEATURES);
        router.get("/_matrix/client/versions", call -> Reply.json(body));
    }

    /**
     * https://spec.matrix.org/v1.19/client-server-api/#well-known-uris and
     * https://spec.matrix.org/v1.19/server-server-api/#getwell-knownmatrixserver; {@code mServer} empty leaves
     * the latter unanswered (404), so remote servers fall back to SRV records and port 8448.
     */
    public static void addWellKnown(Router router, String publicBaseUrl, Optional<String> mServer) {
        Map<String, Object> client = Map.of("m.homeserver", Map.of("base_url", publicBaseUrl));
        router.get("/.well-known/matrix/client", call -> Reply.json(client));
        mServer.ifPresent(server -> {
            Map<String, Object> body = Map.of("m.server", server);
            router.get("/.well-known/matrix/server", call -> Reply.json(body));
        });
    }

    /** {@code GET /metrics} in the Prometheus text format, when metrics are on. */
    public static void addMetrics(Router router, Metrics metrics) {
        if (!metrics.enabled()) return;
        router.get("/metrics", call -> Reply.raw(200, "text/plain; version=0.0.4; charset=utf-8",
                metrics.scrape().orElseThrow().getBytes(StandardCharsets.UTF_8)));
    }
}
