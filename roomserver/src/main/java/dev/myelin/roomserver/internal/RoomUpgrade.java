package dev.myelin.roomserver.internal;

import dev.myelin.platform.http.MatrixException;
import dev.myelin.protocol.auth.PowerLevels;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import dev.myelin.roomserver.api.ProfileLookup;
import dev.myelin.roomserver.api.StoredEvent;
import dev.myelin.roomserver.storage.AliasesTable;
import dev.myelin.roomserver.storage.RoomsTable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Room upgrades (https://spec.matrix.org/v1.19/client-server-api/#server-behaviour-19): a new room whose create
 * event names its predecessor, with the old room's transferable state, power levels (the upgrader's level raised
 * while the state is copied, then restored), space children, bans and local invites copied; the local aliases, the
 * canonical alias and the directory listing moved; then a tombstone in the old room and its power levels raised so
 * that ordinary members can no longer talk or invite there. Per-user data (tags, push rules, {@code m.direct}) is
 * the userapi's: clientapi copies it.
 */
final class RoomUpgrade {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final List<String> COPIED = List.of("m.room.server_acl", "m.room.encryption", "m.room.name",
            "m.room.avatar", "m.room.topic", "m.room.guest_access", Pdu.HISTORY_VISIBILITY, Pdu.JOIN_RULES);

    private final RoomGraph graph;
    private final RoomInput input;
    private final ProfileLookup profiles;

    RoomUpgrade(RoomGraph graph, RoomInput input, ProfileLookup profiles) {
        this.graph = graph;
        this.input = input;
        this.profiles = profiles;
    }

    String upgrade(String upgrader, RoomInfo old, String newVersionId, List<String> additionalCreators) {
        RoomVersion version = RoomVersions.find(newVersionId).orElseThrow(() -> new MatrixException(
                "M_UNSUPPORTED_ROOM_VERSION", "This server does not support room version " + newVersionId, 400));
        Map<StateKey, StoredEvent> state = graph.db().read(c -> graph.events(c,
                graph.snapshot(c, RoomsTable.byNid(c, old.roomNid()).orElseThrow().stateSnapshotNid())));
        Pdu oldPower = pdu(state, Pdu.POWER_LEVELS);
        PowerLevels power = PowerLevels.of(old.version(), oldPower, pdu(state, Pdu.CREATE));
        Pdu me = pdu(state, Pdu.MEMBER, upgrader);
        if (me == null || !"join".equals(me.content().path("membership").asString(""))) {
            throw MatrixException.forbidden("You are not in the room");
        }
        if (power.userLevel(upgrader) < power.eventLevel("m.room.tombstone", true)) {
            throw MatrixException.forbidden("You may not send m.room.tombstone in this room, so you may not upgrade it");
        }
        String lastEventId = graph.head(old).latestEventIds().getFirst();

        List<EventTemplate> events = new ArrayList<>();
        ObjectNode create = JSON.objectNode();
        Pdu oldCreate = pdu(state, Pdu.CREATE);
        for (String key : List.of("type", "m.federate")) {
            if (oldCreate != null && oldCreate.content().has(key)) create.set(key, oldCreate.content().get(key).deepCopy());
        }
        create.put("room_version", version.id());
        if (!version.creatorFromSender()) create.put("creator", upgrader);
        ObjectNode predecessor = JSON.objectNode();
        predecessor.put("room_id", old.roomId());
        predecessor.put("event_id", lastEventId);
        create.set("predecessor", predecessor);
        Set<String> creators = new LinkedHashSet<>();
        creators.add(upgrader);
        if (version.privilegedCreators() && !additionalCreators.isEmpty()) {
            ArrayNode extra = JSON.arrayNode();
            additionalCreators.forEach(u -> {
                RoomCreation.requireUserId(u);
                extra.add(u);
                creators.add(u);
            });
            create.set("additional_creators", extra);
        }
        events.add(EventTemplate.state(upgrader, Pdu.CREATE, "", create));
        events.add(EventTemplate.state(upgrader, Pdu.MEMBER, upgrader, RoomCreation.memberContent("join", upgrader, profiles, null)));

        // power levels: the old ones, adapted to the new version's notion of creators
        ObjectNode pl = oldPower == null ? RoomCreation.defaultPowerLevels(version, upgrader, "private_chat", List.of())
                : oldPower.content().deepCopy();
        ObjectNode users = pl.get("users") instanceof ObjectNode u ? u : pl.putObject("users");
        ObjectNode restored = null;
        if (version.privilegedCreators()) {
            creators.forEach(users::remove);
            ObjectNode evs = pl.get("events") instanceof ObjectNode e ? e : pl.putObject("events");
            long stateDefault = pl.path("state_default").asLong(50);
            if (evs.path("m.room.tombstone").asLong(0) <= stateDefault) evs.put("m.room.tombstone", Math.max(150, stateDefault + 1));
        } else {
            // why: the upgrader must be able to send every copied state event, the bans and invites; as Synapse does, their
            // level is raised for the copying only, and the old power levels are sent again afterwards
            long needed = Math.max(power.level(PowerLevels.STATE_DEFAULT), Math.max(power.ban(), power.invite()));
            if (pl.get("events") instanceof ObjectNode evs) {
                for (String type : evs.propertyNames()) needed = Math.max(needed, power.eventLevel(type, true));
            }
            long own = power.userLevel(upgrader) == PowerLevels.INFINITE ? 100 : power.userLevel(upgrader);
            if (oldPower == null || (old.version().privilegedCreators() && power.creators().contains(upgrader))) {
                // why: a creator of a v12+ room has no entry (the create event gives the power); here it must be explicit
                users.put(upgrader, Math.max(100, own));
            } else if (own < needed) {
                restored = pl.deepCopy();
                users.put(upgrader, needed);
            }
        }
        events.add(EventTemplate.state(upgrader, Pdu.POWER_LEVELS, "", pl));
        for (String type : COPIED) {
            StoredEvent e = state.get(new StateKey(type, ""));
            if (e != null && e.redactedBy() == null) events.add(EventTemplate.state(upgrader, type, "", e.pdu().content().deepCopy()));
        }
        StoredEvent canonical = state.get(new StateKey("m.room.canonical_alias", ""));
        String local = ":" + input.serverName();
        for (Map.Entry<StateKey, StoredEvent> e : state.entrySet()) {
            String type = e.getKey().type();
            String membership = e.getValue().pdu().content().path("membership").asString("");
            if (type.equals("m.space.child") && e.getValue().redactedBy() == null && e.getValue().pdu().content().path("via").isArray()) {
                // a space keeps its children (a child with content but no 'via' is a removed one)
                events.add(EventTemplate.state(upgrader, type, e.getKey().stateKey(), e.getValue().pdu().content().deepCopy()));
            } else if (type.equals(Pdu.MEMBER) && membership.equals("ban")) {
                ObjectNode ban = JSON.objectNode().put("membership", "ban");
                JsonNode reason = e.getValue().pdu().content().get("reason");
                if (reason != null && reason.isString()) ban.put("reason", reason.stringValue());
                events.add(EventTemplate.state(upgrader, Pdu.MEMBER, e.getKey().stateKey(), ban));
            } else if (type.equals(Pdu.MEMBER) && membership.equals("invite") && e.getKey().stateKey().endsWith(local)) {
                // why: a user invited to the old room could not join an invite-only successor; local invites are
                // carried over (inviting a user of another server needs federation)
                events.add(EventTemplate.state(upgrader, Pdu.MEMBER, e.getKey().stateKey(),
                        RoomCreation.memberContent("invite", e.getKey().stateKey(), profiles, null)));
            }
        }
        if (restored != null) events.add(EventTemplate.state(upgrader, Pdu.POWER_LEVELS, "", restored));
        String newRoomId = input.create(version, events);
        RoomInfo newRoom = graph.room(newRoomId).orElseThrow();

        // aliases and the directory listing move to the new room; the canonical alias follows them
        boolean published = graph.db().write(tx -> {
            for (String alias : AliasesTable.ofRoom(tx, old.roomId())) {
                AliasesTable.delete(tx, alias);
                AliasesTable.insert(tx, alias, newRoomId, upgrader);
            }
            boolean was = AliasesTable.isPublished(tx, old.roomId());
            if (was) {
                AliasesTable.setPublished(tx, old.roomId(), false);
                AliasesTable.setPublished(tx, newRoomId, true);
            }
            return was;
        });
        if (canonical != null && canonical.redactedBy() == null && canonical.pdu().content().size() > 0) {
            input.send(newRoom, List.of(EventTemplate.state(upgrader, "m.room.canonical_alias", "",
                    canonical.pdu().content().deepCopy())), Optional.empty());
        }

        // the old room: tombstone, then only moderators may talk or invite
        List<EventTemplate> oldEvents = new ArrayList<>();
        ObjectNode tombstone = JSON.objectNode();
        tombstone.put("body", "This room has been replaced");
        tombstone.put("replacement_room", newRoomId);
        oldEvents.add(EventTemplate.state(upgrader, "m.room.tombstone", "", tombstone));
        if (canonical != null && canonical.pdu().content().size() > 0) {
            oldEvents.add(EventTemplate.state(upgrader, "m.room.canonical_alias", "", JSON.objectNode()));
        }
        if (oldPower != null) {
            ObjectNode restricted = oldPower.content().deepCopy();
            long level = Math.max(50, restricted.path("users_default").asLong(0) + 1);
            restricted.put("events_default", level);
            restricted.put("invite", level);
            oldEvents.add(EventTemplate.state(upgrader, Pdu.POWER_LEVELS, "", restricted));
        }
        try {
            input.send(old, oldEvents, Optional.empty());
        } catch (MatrixException e) {
            // why: the tombstone is what matters; restricting may be refused (e.g. the upgrader's level is below
            // the one needed to change power levels): send the tombstone alone then
            input.send(old, List.of(oldEvents.getFirst()), Optional.empty());
        }
        return newRoomId;
    }

    private static Pdu pdu(Map<StateKey, StoredEvent> state, String type) {
        return pdu(state, type, "");
    }

    private static Pdu pdu(Map<StateKey, StoredEvent> state, String type, String key) {
        StoredEvent e = state.get(new StateKey(type, key));
        return e == null ? null : e.pdu();
    }
}
