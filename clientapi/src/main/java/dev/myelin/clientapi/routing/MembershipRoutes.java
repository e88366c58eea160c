package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.roomserver.api.RoomserverApi;
import dev.myelin.userapi.api.Requester;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * Room membership (https://spec.matrix.org/v1.19/client-server-api/#room-membership): join (by ID or alias),
 * invite, leave, forget, kick, ban, unban and knock, each with an optional {@code reason}.
 */
final class MembershipRoutes {
    private static final String ROOM = "/_matrix/client/v3/rooms/{roomId}";

    private final RoomserverApi rooms;
    private final Authenticator auth;
    private final UpgradedRoomUserData userData;

    MembershipRoutes(RoomserverApi rooms, Authenticator auth, UpgradedRoomUserData userData) {
        this.rooms = rooms;
        this.auth = auth;
        this.userData = userData;
    }

    void addTo(Router router) {
        router.post("/_matrix/client/v3/join/{roomIdOrAlias}", call -> join(call, auth.require(call), call.pathParam("roomIdOrAlias")));
        // why: guests may use only this form of join (client-server API "Guest access")
        router.post(ROOM + "/join", call -> join(call, auth.requireAllowingGuests(call), call.pathParam("roomId")));
        router.post("/_matrix/client/v3/knock/{roomIdOrAlias}", call -> {
            Requester r = auth.require(call);
            ObjectNode body = bodyOrEmpty(call);
            return Reply.json(Map.of("room_id", rooms.knock(RoomRoutes.sender(r), call.pathParam("roomIdOrAlias"),
                    Fields.optionalString(body, "reason"))));
        });
        router.post(ROOM + "/leave", call -> {
            Requester r = auth.requireAllowingGuests(call);
            rooms.leave(RoomRoutes.sender(r), call.pathParam("roomId"), Fields.optionalString(bodyOrEmpty(call), "reason"));
            return Reply.empty();
        });
        router.post(ROOM + "/forget", call -> {
            Requester r = auth.require(call);
            rooms.forget(RoomRoutes.sender(r), call.pathParam("roomId"));
            return Reply.empty();
        });
        for (String action : new String[] {"invite", "kick", "ban", "unban"}) {
            router.post(ROOM + "/" + action, call -> {
                Requester r = auth.require(call);
                ObjectNode body = call.json();
                if (action.equals("invite") && !body.has("user_id") && body.has("medium")) {
                    throw new MatrixException("M_UNKNOWN",
                            "Third-party invites (medium/address) need an identity server, which this server does not use", 400);
                }
                rooms.setMembership(RoomRoutes.sender(r), call.pathParam("roomId"), Fields.string(body, "user_id"), action,
                        Fields.optionalString(body, "reason"));
                return Reply.empty();
            });
        }
    }

    private Reply join(HttpCall call, Requester r, String roomIdOrAlias) {
        Optional<String> reason = Fields.optionalString(bodyOrEmpty(call), "reason");
        String roomId = rooms.join(RoomRoutes.sender(r), roomIdOrAlias, reason);
        userData.joined(r.userId(), roomId);
        return Reply.json(Map.of("room_id", roomId));
    }

    /** The body as an object; these endpoints accept an empty body. */
    private static ObjectNode bodyOrEmpty(HttpCall call) {
        if (call.bodyBytes().length == 0) return tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        return call.json();
    }
}
