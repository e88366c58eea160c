package dev.myelin.clientapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.roomserver.api.RoomserverApi;
import dev.myelin.roomserver.api.Sender;
import dev.myelin.userapi.api.Requester;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * Creating rooms, sending events and reading rooms (https://spec.matrix.org/v1.19/client-server-api/#rooms):
 * {@code /createRoom}, {@code /send}, {@code /state}, {@code /event}, {@code /joined_members},
 * {@code /joined_rooms} and {@code /redact}. The behaviour lives in the roomserver; these parse and render.
 * ({@code /members} is syncapi's: its {@code at} parameter is a sync token.)
 */
final class RoomRoutes {
    private static final String ROOM = "/_matrix/client/v3/rooms/{roomId}";

    private final RoomserverApi rooms;
    private final Authenticator auth;
    private final UpgradedRoomUserData userData;
    private final Annotations annotations;

    RoomRoutes(RoomserverApi rooms, Authenticator auth, UpgradedRoomUserData userData, Annotations annotations) {
        this.rooms = rooms;
        this.auth = auth;
        this.userData = userData;
        this.annotations = annotations;
    }

    void addTo(Router router) {
        addUpgradeAndTimeRoutes(router);
        router.post("/_matrix/client/v3/createRoom", call -> {
            Requester r = auth.require(call);
            ObjectNode body = call.json();
            String roomId = rooms.createRoom(sender(r), body);
            ObjectNode out = body.objectNode();
            out.put("room_id", roomId);
            Fields.optionalString(body, "room_alias_name").ifPresent(a -> out.put("room_alias", "#" + a + ":" + rooms.serverName()));
            return Reply.json(out);
        });
        router.put(ROOM + "/send/{eventType}/{txnId}", call -> {
            Requester r = auth.requireAllowingGuests(call);
            ObjectNode content = call.json();
            refuseDuplicateAnnotation(r, call.pathParam("roomId"), call.pathParam("eventType"), content, call.pathParam("txnId"));
            String id = rooms.send(sender(r), call.pathParam("roomId"), call.pathParam("eventType"), null, content,
                    Optional.of(call.pathParam("txnId")));
            return Reply.json(Map.of("event_id", id));
        });
        router.put(ROOM + "/state/{eventType}/{stateKey}", call -> putState(call, call.pathParam("stateKey")));
        router.put(ROOM + "/state/{eventType}", call -> putState(call, ""));
        router.get(ROOM + "/state/{eventType}/{stateKey}", call -> getState(call, call.pathParam("stateKey")));
        router.get(ROOM + "/state/{eventType}", call -> getState(call, ""));
        router.get(ROOM + "/state", call -> {
            Requester r = auth.requireAllowingGuests(call);
            return Reply.json(rooms.state(r.userId(), call.pathParam("roomId")));
        });
        router.get(ROOM + "/event/{eventId}", call -> {
            Requester r = auth.requireAllowingGuests(call);
            return Reply.json(rooms.event(r.userId(), call.pathParam("roomId"), call.pathParam("eventId")));
        });
        router.get(ROOM + "/joined_members", call -> {
            Requester r = auth.require(call);
            return Reply.json(Map.of("joined", rooms.joinedMembers(r.userId(), call.pathParam("roomId"))));
        });
        router.get("/_matrix/client/v3/joined_rooms", call -> {
            Requester r = auth.require(call);
            return Reply.json(Map.of("joined_rooms", rooms.joinedRooms(r.userId())));
        });
        router.put(ROOM + "/redact/{eventId}/{txnId}", call -> {
            Requester r = auth.require(call);
            ObjectNode body = call.json();
            String id = rooms.redact(sender(r), call.pathParam("roomId"), call.pathParam("eventId"),
                    Fields.optionalString(body, "reason"), Optional.of(call.pathParam("txnId")));
            return Reply.json(Map.of("event_id", id));
        });
    }

    void addUpgradeAndTimeRoutes(Router router) {
        router.post(ROOM + "/upgrade", call -> {
            Requester r = auth.require(call);
            ObjectNode body = call.json();
            java.util.List<String> creators = new java.util.ArrayList<>();
            tools.jackson.databind.JsonNode extra = body.get("additional_creators");
            if (extra != null && !extra.isNull()) {
                if (!extra.isArray()) throw MatrixException.badJson("'additional_creators' must be a list of user IDs");
                for (tools.jackson.databind.JsonNode u : extra) {
                    if (!u.isString()) throw MatrixException.badJson("'additional_creators' must be a list of user IDs");
                    creators.add(u.stringValue());
                }
            }
            String replacement = rooms.upgradeRoom(sender(r), call.pathParam("roomId"), Fields.string(body, "new_version"), creators);
            userData.upgraded(r.userId(), call.pathParam("roomId"), replacement);
            return Reply.json(Map.of("replacement_room", replacement));
        });
        router.get("/_matrix/client/v1/rooms/{roomId}/timestamp_to_event", call -> {
            Requester r = auth.require(call);
            String dir = call.queryParam("dir").orElseThrow(() -> MatrixException.missingParam("'dir' is required"));
            if (!dir.equals("f") && !dir.equals("b")) throw MatrixException.invalidParam("'dir' must be 'f' or 'b'");
            long ts;
            try {
                ts = Long.parseLong(call.queryParam("ts").orElseThrow(() -> MatrixException.missingParam("'ts' is required")));
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam("'ts' must be a timestamp in milliseconds");
            }
            return Reply.json(rooms.timestampToEvent(r.userId(), call.pathParam("roomId"), ts, dir.equals("f")));
        });
    }

    private Reply putState(HttpCall call, String stateKey) {
        Requester r = auth.requireAllowingGuests(call);
        String id = rooms.send(sender(r), call.pathParam("roomId"), call.pathParam("eventType"), stateKey, call.json(),
                Optional.empty());
        return Reply.json(Map.of("event_id", id));
    }

    private Reply getState(HttpCall call, String stateKey) {
        Requester r = auth.requireAllowingGuests(call);
        String format = call.queryParam("format").orElse("content");
        if (format.equals("event")) {
            return Reply.json(rooms.stateEvent(r.userId(), call.pathParam("roomId"), call.pathParam("eventType"), stateKey));
        }
        return Reply.json(rooms.stateContent(r.userId(), call.pathParam("roomId"), call.pathParam("eventType"), stateKey));
    }

    /** 400 M_DUPLICATE_ANNOTATION for a second identical annotation (same sender, event type, target and key). */
    private void refuseDuplicateAnnotation(Requester r, String roomId, String type, ObjectNode content, String txnId) {
        tools.jackson.databind.JsonNode relates = content.get("m.relates_to");
        if (relates == null || !"m.annotation".equals(relates.path("rel_type").asString(""))) return;
        if (!relates.path("event_id").isString() || !relates.path("key").isString()) return;
        Annotations.Annotation a = new Annotations.Annotation(roomId, r.userId(), r.deviceId(), txnId, type,
                relates.get("event_id").stringValue(), relates.get("key").stringValue());
        if (annotations.alreadySent(a)) {
            throw new MatrixException("M_DUPLICATE_ANNOTATION", "You have already sent this annotation to this event", 400);
        }
    }

    static Sender sender(Requester r) {
        return new Sender(r.userId(), r.deviceId(), r.isGuest());
    }
}
