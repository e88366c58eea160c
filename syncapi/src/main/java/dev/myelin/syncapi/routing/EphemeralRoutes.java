package dev.myelin.syncapi.routing;

import dev.myelin.clientapi.auth.Authenticator;
import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.http.Reply;
import dev.myelin.platform.http.Router;
import dev.myelin.syncapi.api.SyncMemberships;
import dev.myelin.syncapi.internal.Presence;
import dev.myelin.syncapi.internal.Receipts;
import dev.myelin.syncapi.internal.Typing;
import dev.myelin.userapi.api.Requester;
import dev.myelin.userapi.api.UserApi;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Typing, receipts, read markers and presence: {@code /typing}, {@code /receipt}, {@code /read_markers}, {@code /presence}. */
public final class EphemeralRoutes {
    private static final String ROOM = "/_matrix/client/v3/rooms/{roomId}";
    /** The longest a typing notification lasts, whatever the client asks. */
    static final long MAX_TYPING_MS = 120_000;

    private final Authenticator auth;
    private final UserApi users;
    private final Typing typing;
    private final Receipts receipts;
    private final Presence presence;
    private final SyncMemberships memberships;

    private EphemeralRoutes(Authenticator auth, UserApi users, Typing typing, Receipts receipts, Presence presence,
                            SyncMemberships memberships) {
        this.auth = auth;
        this.users = users;
        this.typing = typing;
        this.receipts = receipts;
        this.presence = presence;
        this.memberships = memberships;
    }

    public static void add(Router router, Authenticator auth, UserApi users, Typing typing, Receipts receipts,
                           Presence presence, SyncMemberships memberships) {
        EphemeralRoutes routes = new EphemeralRoutes(auth, users, typing, receipts, presence, memberships);
        router.put(ROOM + "/typing/{userId}", routes::typing);
        router.post(ROOM + "/receipt/{receiptType}/{eventId}", routes::receipt);
        router.post(ROOM + "/read_markers", routes::readMarkers);
        router.get("/_matrix/client/v3/presence/{userId}/status", routes::getPresence);
        router.put("/_matrix/client/v3/presence/{userId}/status", routes::putPresence);
    }

    private Reply typing(HttpCall call) {
        Requester r = auth.requireAllowingGuests(call);
        String roomId = call.pathParam("roomId");
        if (!call.pathParam("userId").equals(r.userId())) throw MatrixException.forbidden("You may only set your own typing");
        ObjectNode body = call.json();
        JsonNode flag = body.get("typing");
        if (flag == null || !flag.isBoolean()) throw MatrixException.badJson("typing must be a boolean");
        long timeout = 30_000;
        JsonNode t = body.get("timeout");
        if (t != null && !t.isNull()) {
            if (!t.isIntegralNumber() || t.longValue() < 0) throw MatrixException.badJson("timeout must be a non-negative integer");
            timeout = Math.min(t.longValue(), MAX_TYPING_MS);
        }
        if (!memberships.joinedUsers(roomId).contains(r.userId())) throw MatrixException.forbidden("You are not joined to this room");
        typing.set(roomId, r.userId(), flag.booleanValue(), timeout);
        return Reply.empty();
    }

    private Reply receipt(HttpCall call) {
        Requester r = auth.requireAllowingGuests(call);
        String type = call.pathParam("receiptType");
        String roomId = call.pathParam("roomId");
        String eventId = call.pathParam("eventId");
        ObjectNode body = bodyOrEmpty(call);
        Optional<String> thread = optionalString(body, "thread_id");
        if (type.equals("m.fully_read")) {
            if (thread.isPresent()) throw MatrixException.invalidParam("m.fully_read receipts cannot have a thread_id");
            fullyRead(r, roomId, eventId);
        } else if (Receipts.TYPES.contains(type)) {
            receipts.set(r.userId(), roomId, type, eventId, thread);
            presence.active(r.userId());
        } else {
            throw MatrixException.invalidParam("Unknown receipt type " + type);
        }
        return Reply.empty();
    }

    private Reply readMarkers(HttpCall call) {
        Requester r = auth.requireAllowingGuests(call);
        String roomId = call.pathParam("roomId");
        ObjectNode body = call.json();
        optionalString(body, "m.fully_read").ifPresent(e -> fullyRead(r, roomId, e));
        optionalString(body, "m.read").ifPresent(e -> receipts.set(r.userId(), roomId, "m.read", e, Optional.empty()));
        optionalString(body, "m.read.private")
                .ifPresent(e -> receipts.set(r.userId(), roomId, "m.read.private", e, Optional.empty()));
        presence.active(r.userId());
        return Reply.empty();
    }

    /** {@code m.fully_read} is room account data (owned by the userapi), not a receipt. */
    private void fullyRead(Requester r, String roomId, String eventId) {
        if (!memberships.joinedUsers(roomId).contains(r.userId())) throw MatrixException.forbidden("You are not joined to this room");
        ObjectNode content = JsonNodeFactory.instance.objectNode();
        content.put("event_id", eventId);
        users.setAccountData(r.localpart(), Optional.of(roomId), "m.fully_read", content);
    }

    private Reply getPresence(HttpCall call) {
        Requester r = auth.requireAllowingGuests(call);
        return Reply.json(presence.status(r.userId(), call.pathParam("userId")));
    }

    private Reply putPresence(HttpCall call) {
        Requester r = auth.requireAllowingGuests(call);
        if (!call.pathParam("userId").equals(r.userId())) throw MatrixException.forbidden("You may only set your own presence");
        ObjectNode body = call.json();
        String state = optionalString(body, "presence").orElseThrow(() -> MatrixException.missingParam("presence is required"));
        presence.set(r.userId(), state, optionalString(body, "status_msg"));
        return Reply.empty();
    }

    private static ObjectNode bodyOrEmpty(HttpCall call) {
        return call.bodyBytes().length == 0 ? JsonNodeFactory.instance.objectNode() : call.json();
    }

    private static Optional<String> optionalString(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isString()) throw MatrixException.badJson(field + " must be a string");
        return Optional.of(v.stringValue());
    }
}
