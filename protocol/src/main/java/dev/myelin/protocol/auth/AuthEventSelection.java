package dev.myelin.protocol.auth;

import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersion;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The auth events selection algorithm: which state events are needed to authorise an event, i.e. which
 * (type, state key) pairs belong in its {@code auth_events}. See the server-server API, "Auth events selection".
 */
public final class AuthEventSelection {

    private AuthEventSelection() {}

    /** The state keys the auth events of this event must come from. */
    public static List<StateKey> keys(Pdu event) {
        return keys(event.roomVersion(), event.type(), event.stateKey(), event.sender(), event.content());
    }

    /**
     * The state keys the auth events of an event with these fields must come from, in a stable order: create
     * (before v12), power levels, the sender's member event, and for {@code m.room.member} the target's member
     * event, the join rules (join, invite, knock), the third-party invite of the token, and the authorising user's
     * member event for a restricted join (v8+).
     */
    public static List<StateKey> keys(RoomVersion version, String type, String stateKey, String sender, JsonNode content) {
        if (Pdu.CREATE.equals(type) && "".equals(stateKey)) return List.of();
        var keys = new LinkedHashSet<StateKey>();
        if (!version.roomIdFromCreateEvent()) keys.add(new StateKey(Pdu.CREATE, ""));
        keys.add(new StateKey(Pdu.POWER_LEVELS, ""));
        keys.add(new StateKey(Pdu.MEMBER, sender));
        if (Pdu.MEMBER.equals(type) && stateKey != null) {
            keys.add(new StateKey(Pdu.MEMBER, stateKey));
            String membership = string(content, "membership");
            if ("join".equals(membership) || "invite".equals(membership) || "knock".equals(membership)) {
                keys.add(new StateKey(Pdu.JOIN_RULES, ""));
            }
            if ("invite".equals(membership) && content != null && content.has("third_party_invite")) {
                JsonNode signed = content.get("third_party_invite").get("signed");
                String token = string(signed, "token");
                if (token != null) keys.add(new StateKey(Pdu.THIRD_PARTY_INVITE, token));
            }
            if ("join".equals(membership) && version.restrictedJoinRule()) {
                String via = string(content, "join_authorised_via_users_server");
                if (via != null) keys.add(new StateKey(Pdu.MEMBER, via));
            }
        }
        return new ArrayList<>(keys);
    }

    private static String string(JsonNode node, String field) {
        if (node == null || !node.isObject()) return null;
        JsonNode v = node.get(field);
        return v != null && v.isString() ? v.stringValue() : null;
    }
}
