package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.roomserver.api.RoomserverApi;
import dev.myelin.userapi.api.Requester;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Room aliases and the room directory (https://spec.matrix.org/v1.19/client-server-api/#room-aliases,
 * #listing-rooms-in-the-room-directory): {@code /directory/room/{alias}}, {@code /rooms/{id}/aliases},
 * {@code /directory/list/room/{id}} and {@code /publicRooms}.
 */
final class DirectoryRoutes {
    private final RoomserverApi rooms;
    private final Authenticator auth;

    DirectoryRoutes(RoomserverApi rooms, Authenticator auth) {
        this.rooms = rooms;
        this.auth = auth;
    }

    void addTo(Router router) {
        String alias = "/_matrix/client/v3/directory/room/{roomAlias}";
        router.put(alias, call -> {
            Requester r = auth.require(call);
            rooms.createAlias(RoomRoutes.sender(r), call.pathParam("roomAlias"), Fields.string(call.json(), "room_id"));
            return Reply.empty();
        });
        router.get(alias, call -> Reply.json(Map.of("room_id", rooms.resolveAlias(call.pathParam("roomAlias")),
                "servers", List.of(rooms.serverName()))));
        router.delete(alias, call -> {
            Requester r = auth.require(call);
            rooms.deleteAlias(RoomRoutes.sender(r), call.pathParam("roomAlias"), r.isAdmin());
            return Reply.empty();
        });
        router.get("/_matrix/client/v3/rooms/{roomId}/aliases", call -> {
            Requester r = auth.require(call);
            return Reply.json(Map.of("aliases", rooms.aliases(r.userId(), call.pathParam("roomId"))));
        });
        String list = "/_matrix/client/v3/directory/list/room/{roomId}";
        router.get(list, call -> Reply.json(Map.of("visibility", rooms.directoryVisibility(call.pathParam("roomId")))));
        router.put(list, call -> {
            Requester r = auth.require(call);
            String visibility = Fields.optionalString(call.json(), "visibility").orElse("public");
            rooms.setDirectoryVisibility(RoomRoutes.sender(r), call.pathParam("roomId"), visibility);
            return Reply.empty();
        });
        router.get("/_matrix/client/v3/publicRooms", call -> {
            requireLocal(call.queryParam("server"));
            return Reply.json(rooms.publicRooms(intParam(call.queryParam("limit")), call.queryParam("since"), Optional.empty()));
        });
        router.post("/_matrix/client/v3/publicRooms", call -> {
            auth.require(call);
            requireLocal(call.queryParam("server"));
            ObjectNode body = call.json();
            Optional<Integer> limit = Optional.empty();
            JsonNode l = body.get("limit");
            if (l != null && !l.isNull()) {
                if (!l.isIntegralNumber()) throw MatrixException.badJson("'limit' must be an integer");
                limit = Optional.of(l.asInt());
            }
            Optional<String> term = Fields.optionalObject(body, "filter").flatMap(f -> Fields.optionalString(f, "generic_search_term"));
            return Reply.json(rooms.publicRooms(limit, Fields.optionalString(body, "since"), term));
        });
    }

    private void requireLocal(Optional<String> server) {
        if (server.isPresent() && !server.get().equals(rooms.serverName())) {
            throw MatrixException.notFound("Room directories of other servers need federation, which is not available yet");
        }
    }

    private static Optional<Integer> intParam(Optional<String> v) {
        if (v.isEmpty()) return Optional.empty();
        try {
            return Optional.of(Integer.parseInt(v.get()));
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("'limit' must be an integer");
        }
    }
}
