package dev.myelin.roomserver.internal;

import dev.myelin.platform.http.MatrixException;
import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.id.RoomAlias;
import dev.myelin.protocol.id.UserId;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import dev.myelin.roomserver.api.ProfileLookup;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a {@code POST /createRoom} request into the room's first events, in the order the spec gives
 * (https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3createroom): create, the creator's join,
 * power levels, canonical alias, the preset's join rules / history visibility / guest access, initial_state,
 * name and topic, then invites.
 */
final class RoomCreation {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Set<String> PRESETS = Set.of("private_chat", "trusted_private_chat", "public_chat");

    /** The parsed request: the events to send, the alias to create and whether to publish the room. */
    record Plan(RoomVersion version, List<EventTemplate> events, Optional<String> alias, boolean publish) {}

    private RoomCreation() {}

    static Plan plan(String creator, ObjectNode body, RoomVersion defaultVersion, String serverName, ProfileLookup profiles) {
        RoomVersion version = defaultVersion;
        JsonNode rv = body.get("room_version");
        if (rv != null) {
            if (!rv.isString()) throw MatrixException.badJson("room_version must be a string");
            version = RoomVersions.find(rv.stringValue()).orElseThrow(() -> new MatrixException(
                    "M_UNSUPPORTED_ROOM_VERSION", "This server does not support room version " + rv.stringValue(), 400));
        }
        String visibility = optionalString(body, "visibility").orElse("private");
        if (!visibility.equals("public") && !visibility.equals("private")) {
            throw MatrixException.badJson("visibility must be 'public' or 'private'");
        }
        String preset = optionalString(body, "preset").orElse(visibility.equals("public") ? "public_chat" : "private_chat");
        if (!PRESETS.contains(preset)) throw MatrixException.badJson("Unknown preset " + preset);
        JsonNode direct = body.get("is_direct");
        if (direct != null && !direct.isNull() && !direct.isBoolean()) throw MatrixException.badJson("is_direct must be a boolean");
        boolean isDirect = direct != null && direct.asBoolean(false);

        List<String> invites = new ArrayList<>();
        JsonNode inviteNode = body.get("invite");
        if (inviteNode != null) {
            if (!inviteNode.isArray()) throw MatrixException.badJson("invite must be a list of user IDs");
            for (JsonNode n : inviteNode) {
                if (!n.isString()) throw MatrixException.badJson("invite must be a list of user IDs");
                requireUserId(n.stringValue());
                if (!n.stringValue().equals(creator) && !invites.contains(n.stringValue())) invites.add(n.stringValue());
            }
        }
        JsonNode invite3pid = body.get("invite_3pid");
        if (invite3pid != null && invite3pid.isArray() && !invite3pid.isEmpty()) {
            throw new MatrixException("M_UNKNOWN",
                    "Third-party invites (invite_3pid) need an identity server, which this server does not use", 400);
        }

        Optional<String> alias = Optional.empty();
        Optional<String> aliasName = optionalString(body, "room_alias_name");
        if (aliasName.isPresent()) {
            String a = "#" + aliasName.get() + ":" + serverName;
            if (aliasName.get().contains(":") || aliasName.get().contains("#")) {
                throw MatrixException.invalidParam("room_alias_name must be the localpart only (no ':' or '#')");
            }
            try {
                RoomAlias.parse(a);
            } catch (ProtocolException e) {
                throw MatrixException.invalidParam("Invalid room_alias_name: " + e.getMessage());
            }
            alias = Optional.of(a);
        }

        List<EventTemplate> events = new ArrayList<>();
        // 1. create
        ObjectNode creation = objectOrEmpty(body, "creation_content");
        creation.put("room_version", version.id());
        if (!version.creatorFromSender()) creation.put("creator", creator);
        else creation.remove("creator");
        if (version.privilegedCreators() && preset.equals("trusted_private_chat") && !invites.isEmpty()) {
            Set<String> extra = new LinkedHashSet<>();
            JsonNode given = creation.get("additional_creators");
            if (given != null && given.isArray()) given.forEach(n -> extra.add(n.asString()));
            extra.addAll(invites);
            ArrayNode arr = JSON.arrayNode();
            extra.forEach(arr::add);
            creation.set("additional_creators", arr);
        }
        events.add(EventTemplate.state(creator, Pdu.CREATE, "", creation));
        // 2. the creator's join
        events.add(EventTemplate.state(creator, Pdu.MEMBER, creator, memberContent("join", creator, profiles, null)));
        // 3. power levels
        ObjectNode power = defaultPowerLevels(version, creator, preset, invites);
        JsonNode override = body.get("power_level_content_override");
        if (override != null) {
            if (!(override instanceof ObjectNode o)) throw MatrixException.badJson("power_level_content_override must be an object");
            o.properties().forEach(e -> power.set(e.getKey(), e.getValue().deepCopy()));
        }
        events.add(EventTemplate.state(creator, Pdu.POWER_LEVELS, "", power));
        // 4. canonical alias
        alias.ifPresent(a -> {
            ObjectNode c = JSON.objectNode();
            c.put("alias", a);
            events.add(EventTemplate.state(creator, "m.room.canonical_alias", "", c));
        });
        // 5. the preset
        events.add(EventTemplate.state(creator, Pdu.JOIN_RULES, "", object("join_rule", preset.equals("public_chat") ? "public" : "invite")));
        events.add(EventTemplate.state(creator, Pdu.HISTORY_VISIBILITY, "", object("history_visibility", "shared")));
        events.add(EventTemplate.state(creator, "m.room.guest_access", "",
                object("guest_access", preset.equals("public_chat") ? "forbidden" : "can_join")));
        // 6. initial_state
        JsonNode initial = body.get("initial_state");
        if (initial != null) {
            if (!initial.isArray()) throw MatrixException.badJson("initial_state must be a list of state events");
            for (JsonNode s : initial) {
                if (!(s instanceof ObjectNode so) || !so.path("type").isString() || !(so.get("content") instanceof ObjectNode content)) {
                    throw MatrixException.badJson("each initial_state entry needs a string 'type' and an object 'content'");
                }
                JsonNode key = so.get("state_key");
                if (key != null && !key.isString()) throw MatrixException.badJson("state_key must be a string");
                String type = so.get("type").stringValue();
                if (type.equals(Pdu.CREATE) || type.equals(Pdu.MEMBER)) {
                    throw MatrixException.badJson("initial_state may not hold " + type + " events");
                }
                events.add(EventTemplate.state(creator, type, key == null ? "" : key.stringValue(), content.deepCopy()));
            }
        }
        // 7. name and topic
        JsonNode name = body.get("name");
        if (name != null) {
            if (!name.isString()) throw MatrixException.badJson("name must be a string");
            events.add(EventTemplate.state(creator, "m.room.name", "", object("name", name.stringValue())));
        }
        JsonNode topic = body.get("topic");
        if (topic != null) {
            if (!topic.isString()) throw MatrixException.badJson("topic must be a string");
            ObjectNode c = object("topic", topic.stringValue());
            ArrayNode mTopic = JSON.arrayNode();
            mTopic.add(object("body", topic.stringValue()).put("mimetype", "text/plain"));
            c.set("m.topic", JSON.objectNode().set("m.text", mTopic));
            events.add(EventTemplate.state(creator, "m.room.topic", "", c));
        }
        // 8. invites
        for (String invitee : invites) {
            ObjectNode c = memberContent("invite", invitee, profiles, null);
            if (isDirect) c.put("is_direct", true);
            events.add(EventTemplate.state(creator, Pdu.MEMBER, invitee, c));
        }
        return new Plan(version, events, alias, visibility.equals("public"));
    }

    /** The spec's default power levels, with the creator (before v12) and trusted invitees at 100. */
    static ObjectNode defaultPowerLevels(RoomVersion version, String creator, String preset, List<String> invites) {
        ObjectNode users = JSON.objectNode();
        if (!version.privilegedCreators()) {
            users.put(creator, 100);
            if (preset.equals("trusted_private_chat")) invites.forEach(u -> users.put(u, 100));
        }
        ObjectNode events = JSON.objectNode();
        events.put("m.room.name", 50);
        events.put("m.room.power_levels", 100);
        events.put("m.room.history_visibility", 100);
        events.put("m.room.canonical_alias", 50);
        events.put("m.room.avatar", 50);
        // why: from v12 tombstone must be explicitly above state_default (create_room.yaml, step 3)
        events.put("m.room.tombstone", version.privilegedCreators() ? 150 : 100);
        events.put("m.room.server_acl", 100);
        events.put("m.room.encryption", 100);
        ObjectNode pl = JSON.objectNode();
        pl.set("users", users);
        pl.put("users_default", 0);
        pl.set("events", events);
        pl.put("events_default", 0);
        pl.put("state_default", 50);
        pl.put("ban", 50);
        pl.put("kick", 50);
        pl.put("redact", 50);
        pl.put("invite", preset.equals("public_chat") ? 50 : 0);
        pl.set("notifications", JSON.objectNode().put("room", 50));
        return pl;
    }

    static ObjectNode memberContent(String membership, String userId, ProfileLookup profiles, String reason) {
        ObjectNode c = JSON.objectNode();
        c.put("membership", membership);
        if (!membership.equals("leave") && !membership.equals("ban")) {
            profiles.profile(userId).ifPresent(p -> {
                if (p.displayName() != null) c.put("displayname", p.displayName());
                if (p.avatarUrl() != null) c.put("avatar_url", p.avatarUrl());
            });
        }
        if (reason != null) c.put("reason", reason);
        return c;
    }

    static void requireUserId(String userId) {
        try {
            UserId.parse(userId);
        } catch (ProtocolException e) {
            throw MatrixException.invalidParam("Invalid user ID " + userId + ": " + e.getMessage());
        }
    }

    private static ObjectNode object(String key, String value) {
        ObjectNode o = JSON.objectNode();
        o.put(key, value);
        return o;
    }

    private static ObjectNode objectOrEmpty(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return JSON.objectNode();
        if (!(n instanceof ObjectNode o)) throw MatrixException.badJson(field + " must be an object");
        return o.deepCopy();
    }

    private static Optional<String> optionalString(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return Optional.empty();
        if (!n.isString()) throw MatrixException.badJson(field + " must be a string");
        return Optional.of(n.stringValue());
    }

}
