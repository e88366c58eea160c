package dev.myelin.syncapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.syncapi.internal.Members;
import dev.myelin.syncapi.internal.SyncToken;
import dev.myelin.userapi.api.Requester;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /rooms/{roomId}/members}: served by syncapi because its {@code at} parameter is a sync or pagination
 * token, which only syncapi can place in the timeline.
 */
public final class MembersRoutes {
    private static final Set<String> MEMBERSHIPS = Set.of("join", "invite", "knock", "leave", "ban");

    private MembersRoutes() {}

    /** @param readBarrier run before each read: waits until sync's index holds what the roomserver had stored */
    public static void add(Router router, Authenticator auth, Members members, Runnable readBarrier) {
        router.get("/_matrix/client/v3/rooms/{roomId}/members", call -> {
            Requester r = auth.requireAllowingGuests(call);
            Optional<Long> at = call.queryParam("at").filter(s -> !s.isEmpty()).map(SyncToken::parseBoundary);
            Optional<String> membership = membershipParam(call, "membership");
            Optional<String> notMembership = membershipParam(call, "not_membership");
            readBarrier.run();
            return Reply.json(Map.of("chunk", members.members(new Members.Request(r.userId(), r.deviceId(),
                    call.pathParam("roomId"), at, membership, notMembership))));
        });
    }

    private static Optional<String> membershipParam(HttpCall call, String name) {
        Optional<String> v = call.queryParam(name);
        if (v.isPresent() && !MEMBERSHIPS.contains(v.get())) {
            throw MatrixException.invalidParam(name + " must be one of join, invite, knock, leave, ban");
        }
        return v;
    }
}
