package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.UserApi;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Client config (account data, global and per room), room tags (kept as the {@code m.tag} room account data) and
 * filters (https://spec.matrix.org/v1.19/client-server-api/#client-config, #room-tagging, #filtering).
 */
final class AccountDataRoutes {
    private static final String USER = "/_matrix/client/v3/user/{userId}";

    private final UserApi users;
    private final Authenticator auth;

    AccountDataRoutes(UserApi users, Authenticator auth) {
        this.users = users;
        this.auth = auth;
    }

    void addTo(Router router) {
        router.get(USER + "/account_data/{type}", call -> get(call, Optional.empty()));
        router.put(USER + "/account_data/{type}", call -> put(call, Optional.empty()));
        router.get(USER + "/rooms/{roomId}/account_data/{type}", call -> get(call, Optional.of(roomId(call))));
        router.put(USER + "/rooms/{roomId}/account_data/{type}", call -> put(call, Optional.of(roomId(call))));

        router.get(USER + "/rooms/{roomId}/tags", call -> {
            Requester r = self(call);
            return Reply.json(Map.of("tags", tags(r, roomId(call))));
        });
        router.put(USER + "/rooms/{roomId}/tags/{tag}", call -> {
            Requester r = self(call);
            ObjectNode body = call.json();
            JsonNode order = body.get("order");
            if (order != null && !order.isNull() && !order.isNumber()) throw MatrixException.badJson("'order' must be a number");
            ObjectNode tags = tags(r, roomId(call));
            tags.set(call.pathParam("tag"), body);
            saveTags(r, roomId(call), tags);
            return Reply.empty();
        });
        router.delete(USER + "/rooms/{roomId}/tags/{tag}", call -> {
            Requester r = self(call);
            ObjectNode tags = tags(r, roomId(call));
            tags.remove(call.pathParam("tag"));
            saveTags(r, roomId(call), tags);
            return Reply.empty();
        });

        router.post(USER + "/filter", call -> {
            Requester r = self(call);
            ObjectNode filter = call.json();
            FilterCheck.check(filter);
            return Reply.json(Map.of("filter_id", users.createFilter(r.localpart(), filter)));
        });
        router.get(USER + "/filter/{filterId}", call -> {
            Requester r = self(call);
            return Reply.json(users.filter(r.localpart(), call.pathParam("filterId"))
                    .orElseThrow(() -> MatrixException.notFound("No such filter")));
        });
    }

    private Reply get(HttpCall call, Optional<String> roomId) {
        Requester r = self(call);
        return Reply.json(users.accountData(r.localpart(), roomId, call.pathParam("type"))
                .orElseThrow(() -> MatrixException.notFound("No account data of this type")));
    }

    private Reply put(HttpCall call, Optional<String> roomId) {
        Requester r = self(call);
        String type = call.pathParam("type");
        // why: spec — the server manages these two types through their own endpoints
        if (type.equals("m.fully_read") || type.equals("m.push_rules")) {
            throw new MatrixException("M_BAD_JSON", "Account data of type " + type + " is managed by the server", 405);
        }
        users.setAccountData(r.localpart(), roomId, type, call.json());
        return Reply.empty();
    }

    private ObjectNode tags(Requester r, String roomId) {
        return users.accountData(r.localpart(), Optional.of(roomId), "m.tag")
                .flatMap(c -> c.get("tags") instanceof ObjectNode t ? Optional.of(t) : Optional.empty())
                .orElseGet(JsonNodeFactory.instance::objectNode);
    }

    private void saveTags(Requester r, String roomId, ObjectNode tags) {
        ObjectNode content = JsonNodeFactory.instance.objectNode();
        content.set("tags", tags);
        users.setAccountData(r.localpart(), Optional.of(roomId), "m.tag", content);
    }

    private Requester self(HttpCall call) {
        Requester r = auth.requireAllowingGuests(call);
        Fields.requireSelf(r, call.pathParam("userId"));
        return r;
    }

    private static String roomId(HttpCall call) {
        String roomId = call.pathParam("roomId");
        if (!roomId.startsWith("!")) throw MatrixException.invalidParam("Not a room ID: " + roomId);
        return roomId;
    }
}
