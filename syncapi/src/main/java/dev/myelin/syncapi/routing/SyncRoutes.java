package dev.myelin.syncapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.syncapi.internal.Presence;
import dev.myelin.syncapi.internal.SyncEngine;
import dev.myelin.syncapi.internal.SyncFilter;
import dev.myelin.syncapi.internal.SyncToken;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.UserApi;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.node.ObjectNode;

/** {@code GET /_matrix/client/v3/sync}: parses the query, resolves the filter, hands over to {@link SyncEngine}. */
public final class SyncRoutes {
    /** The longest a poll may wait, whatever the client asks (clients usually ask 30 s). */
    static final long MAX_TIMEOUT_MS = 10 * 60 * 1000;
    private static final Set<String> PRESENCE = Set.of("online", "offline", "unavailable");

    private final Authenticator auth;
    private final UserApi users;
    private final SyncEngine engine;
    // why: stored filters never change once created, and a client sends the same filter ID on every poll
    private final ConcurrentHashMap<String, SyncFilter> storedFilters = new ConcurrentHashMap<>();

    private final Presence presenceState;

    private SyncRoutes(Authenticator auth, UserApi users, SyncEngine engine, Presence presence) {
        this.auth = auth;
        this.presenceState = presence;
        this.users = users;
        this.engine = engine;
    }

    public static void add(Router router, Authenticator auth, UserApi users, SyncEngine engine, Presence presence) {
        SyncRoutes routes = new SyncRoutes(auth, users, engine, presence);
        router.get("/_matrix/client/v3/sync", routes::sync);
    }

    private Reply sync(HttpCall call) {
        Requester requester = auth.requireAllowingGuests(call);
        Optional<SyncToken> since = call.queryParam("since").filter(s -> !s.isEmpty()).map(SyncToken::parse);
        long timeout = Math.min(Params.intParam(call, "timeout", 0), MAX_TIMEOUT_MS);
        boolean fullState = call.queryParam("full_state").map(SyncRoutes::bool).orElse(false);
        Optional<String> presence = call.queryParam("set_presence");
        if (presence.isPresent() && !PRESENCE.contains(presence.get())) {
            throw MatrixException.invalidParam("set_presence must be one of online, offline, unavailable");
        }
        SyncFilter filter = call.queryParam("filter").map(f -> filter(requester, f)).orElse(SyncFilter.DEFAULT);
        // why: polling marks the user online unless the client says otherwise (spec: set_presence defaults to online),
        // and the user counts as syncing (not timed out to offline) until the long poll is answered
        Presence.Syncing syncing = presenceState.syncing(requester.userId(), presence.orElse("online"));
        try {
            return Reply.later(engine.sync(new SyncEngine.Request(requester.userId(), requester.deviceId(), since,
                    fullState, filter, timeout)).whenComplete((response, failure) -> syncing.close()).thenApply(Reply::json));
        } catch (RuntimeException e) {
            syncing.close();
            throw e;
        }
    }

    private SyncFilter filter(Requester requester, String param) {
        if (param.startsWith("{")) return SyncFilter.parse(Params.jsonObject("filter", param));
        String key = requester.userId() + '\n' + param;
        SyncFilter cached = storedFilters.get(key);
        if (cached != null) return cached;
        ObjectNode stored = users.filter(requester.localpart(), param)
                .orElseThrow(() -> MatrixException.notFound("No filter " + param + " for this user"));
        SyncFilter parsed = SyncFilter.parse(stored);
        if (storedFilters.size() > 100_000) storedFilters.clear();
        storedFilters.put(key, parsed);
        return parsed;
    }

    private static boolean bool(String value) {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw MatrixException.invalidParam("full_state must be true or false");
        };
    }
}
