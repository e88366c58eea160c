package dev.myelin.clientapi.routing;

import dev.myelin.platform.http.MatrixException;
import dev.myelin.roomserver.api.RoomserverApi;
import dev.myelin.userapi.api.UserApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * "When a user joins the new room, the server should automatically transfer/replicate some of the user's
 * personalized settings such as notifications, tags, etc." (client-server API, room upgrades): a user's room tags
 * ({@code m.tag}), push rules naming the old room, and {@code m.direct} entries are copied to the successor room.
 * Done for every local member of the old room when it is upgraded, and again when a user joins a room that has a
 * predecessor (as Synapse does); copying twice changes nothing.
 */
final class UpgradedRoomUserData {
    private static final Logger LOG = LoggerFactory.getLogger(UpgradedRoomUserData.class);
    private static final List<String> KINDS = List.of("override", "content", "room", "sender", "underride");

    private final UserApi users;
    private final RoomserverApi rooms;

    UpgradedRoomUserData(UserApi users, RoomserverApi rooms) {
        this.users = users;
        this.rooms = rooms;
    }

    /** After an upgrade: copies the data of every local user joined to the old room (the upgrader can list them). */
    void upgraded(String upgrader, String oldRoomId, String newRoomId) {
        String local = ":" + rooms.serverName();
        for (String userId : rooms.joinedMembers(upgrader, oldRoomId).keySet()) {
            if (userId.endsWith(local)) copy(userId, oldRoomId, newRoomId);
        }
    }

    /** After {@code userId} joined {@code roomId}: copies their data from its predecessor, if it has one. */
    void joined(String userId, String roomId) {
        String predecessor;
        try {
            predecessor = rooms.stateContent(userId, roomId, "m.room.create", "").path("predecessor").path("room_id").asString("");
        } catch (MatrixException e) {
            return;
        }
        if (!predecessor.isEmpty()) copy(userId, predecessor, roomId);
    }

    private void copy(String userId, String oldRoomId, String newRoomId) {
        String localpart = userId.substring(1, userId.indexOf(':'));
        try {
            copyTags(localpart, oldRoomId, newRoomId);
            copyDirect(localpart, oldRoomId, newRoomId);
            copyPushRules(localpart, oldRoomId, newRoomId);
        } catch (MatrixException e) {
            // why: the user's settings are a convenience; the join or upgrade itself has already happened
            LOG.info("Settings of {} not copied from {} to {}: {}", userId, oldRoomId, newRoomId, e.getMessage());
        }
    }

    /** The old room's tags, added to the new room's (a tag the new room has already keeps its order). */
    private void copyTags(String localpart, String oldRoomId, String newRoomId) {
        Optional<ObjectNode> old = users.accountData(localpart, Optional.of(oldRoomId), "m.tag");
        if (old.isEmpty() || !(old.get().get("tags") instanceof ObjectNode oldTags) || oldTags.isEmpty()) return;
        ObjectNode merged = users.accountData(localpart, Optional.of(newRoomId), "m.tag").orElseGet(() -> old.get().objectNode());
        ObjectNode tags = merged.get("tags") instanceof ObjectNode t ? t : merged.putObject("tags");
        boolean changed = false;
        for (String tag : oldTags.propertyNames()) {
            if (!tags.has(tag)) {
                tags.set(tag, oldTags.get(tag).deepCopy());
                changed = true;
            }
        }
        if (changed) users.setAccountData(localpart, Optional.of(newRoomId), "m.tag", merged);
    }

    /** Each {@code m.direct} list naming the old room names the new one too. */
    private void copyDirect(String localpart, String oldRoomId, String newRoomId) {
        Optional<ObjectNode> direct = users.accountData(localpart, Optional.empty(), "m.direct");
        if (direct.isEmpty()) return;
        ObjectNode updated = direct.get().deepCopy();
        boolean changed = false;
        for (String user : updated.propertyNames()) {
            if (!(updated.get(user) instanceof ArrayNode list)) continue;
            boolean hasOld = false;
            boolean hasNew = false;
            for (JsonNode id : list) {
                hasOld |= oldRoomId.equals(id.asString(""));
                hasNew |= newRoomId.equals(id.asString(""));
            }
            if (hasOld && !hasNew) {
                list.add(newRoomId);
                changed = true;
            }
        }
        if (changed) users.setAccountData(localpart, Optional.empty(), "m.direct", updated);
    }

    /**
     * The user's own rules about the old room: a {@code room} rule whose ID is the old room's, and rules whose
     * conditions match {@code room_id} against it; copied with the new room's ID in place of the old one. A rule
     * whose ID would not change, or that exists already, is left alone.
     */
    private void copyPushRules(String localpart, String oldRoomId, String newRoomId) {
        ObjectNode ruleset = users.pushRules(localpart);
        for (String kind : KINDS) {
            List<ObjectNode> copies = new ArrayList<>();
            for (JsonNode rule : ruleset.path(kind)) {
                if (rule.path("default").asBoolean(false) || !(rule instanceof ObjectNode r)) continue;
                String ruleId = r.path("rule_id").asString("");
                boolean aboutOld = kind.equals("room") ? ruleId.equals(oldRoomId) : mentionsRoom(r, oldRoomId);
                String newId = ruleId.replace(oldRoomId, newRoomId);
                if (aboutOld && !newId.equals(ruleId) && !hasRule(ruleset, kind, newId)) copies.add(r);
            }
            for (ObjectNode rule : copies) {
                String newId = rule.path("rule_id").asString().replace(oldRoomId, newRoomId);
                ObjectNode body = rule.objectNode();
                body.set("actions", rule.path("actions").deepCopy());
                if (rule.get("conditions") instanceof ArrayNode conditions) {
                    ArrayNode copied = conditions.deepCopy();
                    for (JsonNode c : copied) {
                        if (c instanceof ObjectNode o && "room_id".equals(o.path("key").asString("")) && oldRoomId.equals(o.path("pattern").asString(""))) {
                            o.put("pattern", newRoomId);
                        }
                    }
                    body.set("conditions", copied);
                }
                if (rule.has("pattern")) body.set("pattern", rule.get("pattern").deepCopy());
                users.putPushRule(localpart, kind, newId, body, Optional.empty(), Optional.empty());
                if (!rule.path("enabled").asBoolean(true)) users.setPushRuleEnabled(localpart, kind, newId, false);
            }
        }
    }

    private static boolean mentionsRoom(ObjectNode rule, String roomId) {
        for (JsonNode c : rule.path("conditions")) {
            if ("event_match".equals(c.path("kind").asString("")) && "room_id".equals(c.path("key").asString(""))
                    && roomId.equals(c.path("pattern").asString(""))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasRule(ObjectNode ruleset, String kind, String ruleId) {
        for (JsonNode rule : ruleset.path(kind)) if (ruleId.equals(rule.path("rule_id").asString(""))) return true;
        return false;
    }
}
