package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.roomserver.api.RoomserverApi;
import dev.myelin.userapi.api.Requester;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The space hierarchy (https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv1roomsroomidhierarchy) over
 * the rooms this server knows, and reporting content: an event, a room or a user
 * (https://spec.matrix.org/v1.19/client-server-api/#reporting-content).
 */
final class SpaceAndReportRoutes {
    private final RoomserverApi rooms;
    private final Authenticator auth;

    SpaceAndReportRoutes(RoomserverApi rooms, Authenticator auth) {
        this.rooms = rooms;
        this.auth = auth;
    }

    void addTo(Router router) {
        router.get("/_matrix/client/v1/rooms/{roomId}/hierarchy", call -> {
            Requester r = auth.require(call);
            boolean suggested = call.queryParam("suggested_only").map(v -> v.equals("true")).orElse(false);
            return Reply.json(rooms.hierarchy(r.userId(), call.pathParam("roomId"), suggested,
                    intParam(call.queryParam("max_depth"), "max_depth"), intParam(call.queryParam("limit"), "limit"),
                    call.queryParam("from")));
        });
        router.post("/_matrix/client/v3/rooms/{roomId}/report/{eventId}", call -> {
            Requester r = auth.require(call);
            ObjectNode body = call.json();
            Optional<Long> score = Optional.empty();
            JsonNode s = body.get("score");
            if (s != null && !s.isNull()) {
                if (!s.isIntegralNumber()) throw MatrixException.badJson("'score' must be an integer");
                score = Optional.of(s.asLong());
            }
            rooms.report(RoomRoutes.sender(r), call.pathParam("roomId"), call.pathParam("eventId"), null,
                    Fields.optionalString(body, "reason"), score);
            return Reply.empty();
        });
        router.post("/_matrix/client/v3/rooms/{roomId}/report", call -> {
            Requester r = auth.require(call);
            rooms.report(RoomRoutes.sender(r), call.pathParam("roomId"), null, null,
                    Fields.optionalString(call.json(), "reason"), Optional.empty());
            return Reply.empty();
        });
        router.post("/_matrix/client/v3/users/{userId}/report", call -> {
            Requester r = auth.require(call);
            try {
                dev.myelin.protocol.id.UserId.parse(call.pathParam("userId"));
            } catch (dev.myelin.protocol.ProtocolException e) {
                throw MatrixException.invalidParam("Not a user ID: " + e.getMessage());
            }
            rooms.report(RoomRoutes.sender(r), null, null, call.pathParam("userId"),
                    Fields.optionalString(call.json(), "reason"), Optional.empty());
            return Reply.empty();
        });
    }

    private static Optional<Integer> intParam(Optional<String> v, String name) {
        if (v.isEmpty()) return Optional.empty();
        try {
            return Optional.of(Integer.parseInt(v.get()));
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("'" + name + "' must be an integer");
        }
    }
}
