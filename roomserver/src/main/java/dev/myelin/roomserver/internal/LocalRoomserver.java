package dev.myelin.roomserver.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.stream.DurableStreams;
import dev.myelin.platform.stream.StreamDefinition;
import dev.myelin.platform.stream.StreamTables;
import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.auth.AuthRules;
import dev.myelin.protocol.auth.PowerLevels;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.id.RoomAlias;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.roomserver.api.ClientEvents;
import dev.myelin.roomserver.api.EventStore;
import dev.myelin.roomserver.api.OutputRoomEvent;
import dev.myelin.roomserver.api.ProfileLookup;
import dev.myelin.roomserver.api.RoomserverApi;
import dev.myelin.roomserver.api.Sender;
import dev.myelin.roomserver.api.StoredEvent;
import dev.myelin.roomserver.storage.AliasesTable;
import dev.myelin.roomserver.storage.MembershipTable;
import dev.myelin.roomserver.storage.RoomsTable;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The roomserver in this process: the room graph over its own database, the per-room input lanes, and the
 * behaviour of room creation, sending, membership, aliases, the directory and reads (with history visibility).
 */
public final class LocalRoomserver implements RoomserverApi {
    /** The stream of accepted events. */
    public static final StreamDefinition<OutputRoomEvent> OUTPUT = StreamDefinition.json(OutputRoomEvent.STREAM, OutputRoomEvent.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalRoomserver.class);

    private final RoomGraph graph;
    private final RoomInput input;
    private final Visibility visibility;
    private final ProfileLookup profiles;
    private final RoomVersion defaultVersion;
    private final String serverName;
    private final RoomUpgrade upgrades;
    private final Clock clock;

    /** Settings of the roomserver: the server name, its signing key, and the version of new rooms. */
    public record Settings(String serverName, SigningKey signingKey, RoomVersion defaultRoomVersion) {}

    /**
     * @param db      the roomserver's database, migrated for "roomserver"; its stream tables are migrated here
     * @param streams where {@code OutputRoomEvent} is produced (its outbox lives in {@code db})
     */
    public LocalRoomserver(Database db, DurableStreams streams, Settings settings, ProfileLookup profiles, Clock clock,
                           SecureRandom random) {
        StreamTables.migrate(db);
        this.graph = new RoomGraph(db);
        this.input = new RoomInput(graph, new RoomLanes(), streams.producer(OUTPUT, db), AuthRules.standard(),
                settings.serverName(), settings.signingKey(), clock, random);
        this.visibility = new Visibility(graph);
        this.profiles = profiles;
        this.defaultVersion = settings.defaultRoomVersion();
        this.serverName = settings.serverName();
        this.upgrades = new RoomUpgrade(graph, input, profiles);
        this.clock = clock;
    }

    @Override
    public String serverName() {
        return serverName;
    }

    @Override
    public EventStore events() {
        return graph;
    }

    // ---- creating and sending

    @Override
    public String createRoom(Sender sender, ObjectNode request) {
        RoomCreation.Plan plan = RoomCreation.plan(sender.userId(), request, defaultVersion, serverName, profiles);
        if (plan.alias().isPresent()) {
            boolean taken = graph.db().read(c -> AliasesTable.get(c, plan.alias().get()).isPresent());
            if (taken) throw new MatrixException("M_ROOM_IN_USE", "The room alias " + plan.alias().get() + " is taken", 400);
        }
        String roomId;
        try {
            roomId = input.create(plan.version(), plan.events());
        } catch (MatrixException e) {
            if (!e.errcode().equals("M_FORBIDDEN")) throw e;
            // why: the spec answers a request whose events the auth rules refuse (e.g. power levels that do not
            // let the creator set the name) with 400 M_INVALID_ROOM_STATE
            throw new MatrixException("M_INVALID_ROOM_STATE", "The room's initial state is not allowed: " + e.getMessage(), 400);
        }
        if (plan.alias().isPresent() || plan.publish()) {
            graph.db().write(tx -> {
                if (plan.alias().isPresent() && !AliasesTable.insert(tx, plan.alias().get(), roomId, sender.userId())) {
                    // why: lost a race for the alias after the room was made; the room stays, without the alias
                    throw new MatrixException("M_ROOM_IN_USE", "The room alias " + plan.alias().get() + " is taken", 400);
                }
                if (plan.publish()) AliasesTable.setPublished(tx, roomId, true);
                return null;
            });
        }
        return roomId;
    }

    /** The input pipeline (for tests in this package). */
    RoomInput input() {
        return input;
    }

    @Override
    public String send(Sender sender, String roomId, String type, String stateKey, ObjectNode content, Optional<String> txnId) {
        RoomInfo room = knownRoom(roomId);
        if (type.isEmpty()) throw MatrixException.badJson("The event type must not be empty");
        if (stateKey != null) validateState(room, type, stateKey, content);
        if (Pdu.REDACTION.equals(type) && stateKey == null && content.path("redacts").isString()) {
            // why: from room version 11 a redaction sent through /send names its target in content; it must pass
            // the same permission check as /redact, or anyone could redact anyone's events
            requireMayRedact(sender, room, content.get("redacts").stringValue());
        }
        EventTemplate t = new EventTemplate(type, stateKey, content, sender.userId(), null);
        Optional<RoomInput.Txn> txn = txnId.map(id -> new RoomInput.Txn(sender.userId(), deviceOf(sender), "send " + roomId + " " + id, id));
        String eventId = input.send(room, List.of(t), txn).getFirst();
        if ("m.room.guest_access".equals(type) && "".equals(stateKey)
                && !"can_join".equals(content.path("guest_access").asString(""))) {
            removeGuests(room);
        }
        return eventId;
    }

    /**
     * Accepts a message event built and signed elsewhere, as {@link RoomInput#receive} describes: the seed of the
     * federation input (which will check signatures first), and how tests feed events in orders a local client
     * cannot make. Returns whether the event was new.
     */
    public boolean receiveEvent(ObjectNode event) {
        JsonNode roomId = event.get("room_id");
        if (roomId == null || !roomId.isString()) throw MatrixException.badJson("room_id must be a string");
        return input.receive(knownRoom(roomId.stringValue()), event);
    }

    /**
     * Guests must leave a room whose guest access is no longer {@code can_join} (client-server API "Guest access",
     * server behaviour): each joined local guest's membership becomes {@code leave}.
     */
    private void removeGuests(RoomInfo room) {
        List<String> guests = graph.db().read(c -> graph.events(c, currentState(c, room)).entrySet().stream()
                .filter(e -> e.getKey().type().equals(Pdu.MEMBER) && e.getKey().stateKey().endsWith(":" + serverName))
                .filter(e -> "join".equals(e.getValue().pdu().content().path("membership").asString("")))
                .map(e -> e.getKey().stateKey())
                .filter(profiles::isGuest)
                .toList());
        for (String guest : guests) {
            try {
                input.send(room, List.of(EventTemplate.state(guest, Pdu.MEMBER, guest,
                        RoomCreation.memberContent("leave", guest, ProfileLookup.NONE, null))), Optional.empty());
            } catch (MatrixException e) {
                LOG.info("Guest {} not removed from {}: {}", guest, room.roomId(), e.getMessage());
            }
        }
    }

    @Override
    public String redact(Sender sender, String roomId, String eventId, Optional<String> reason, Optional<String> txnId) {
        RoomInfo room = knownRoom(roomId);
        requireMayRedact(sender, room, eventId);
        ObjectNode content = JSON.objectNode();
        reason.ifPresent(r -> content.put("reason", r));
        EventTemplate t = new EventTemplate(Pdu.REDACTION, null, content, sender.userId(), eventId);
        Optional<RoomInput.Txn> txn = txnId.map(id -> new RoomInput.Txn(sender.userId(), deviceOf(sender), "redact " + roomId + " " + id, id));
        return input.send(room, List.of(t), txn).getFirst();
    }

    /** A user may redact their own events, and others' with the power level {@code redact}. */
    private void requireMayRedact(Sender sender, RoomInfo room, String eventId) {
        Optional<StoredEvent> target = graph.event(eventId).filter(e -> e.roomId().equals(room.roomId()));
        if (target.isEmpty() || !target.get().pdu().sender().equals(sender.userId())) {
            PowerLevels power = currentPowerLevels(room);
            if (power.userLevel(sender.userId()) < power.redact()) {
                throw MatrixException.forbidden("You may redact only your own events (your power level is below 'redact')");
            }
        }
    }

    private static String deviceOf(Sender sender) {
        return sender.deviceId() == null ? "" : sender.deviceId();
    }

    /**
     * Checks of state the auth rules do not make (refused as bad input, 400, before anything is built): a second
     * create event, member events about something other than a user or with an unknown membership, the shape of
     * well-known content, aliases that must exist, ACLs.
     */
    private void validateState(RoomInfo room, String type, String stateKey, ObjectNode content) {
        switch (type) {
            case Pdu.CREATE -> throw MatrixException.forbidden("m.room.create can only be the first event of a room");
            case Pdu.MEMBER -> {
                RoomCreation.requireUserId(stateKey);
                String membership = content.path("membership").asString("");
                if (!content.path("membership").isString()
                        || !java.util.Set.of("join", "invite", "leave", "ban", "knock").contains(membership)) {
                    throw MatrixException.badJson("membership must be one of join, invite, leave, ban, knock");
                }
            }
            case Pdu.JOIN_RULES -> requireString(content, "join_rule", true);
            case Pdu.HISTORY_VISIBILITY -> {
                requireString(content, "history_visibility", true);
                if (!java.util.Set.of("world_readable", "shared", "invited", "joined").contains(content.get("history_visibility").stringValue())) {
                    throw MatrixException.badJson("history_visibility must be one of world_readable, shared, invited, joined");
                }
            }
            case "m.room.guest_access" -> requireString(content, "guest_access", true);
            case "m.room.name" -> requireString(content, "name", false);
            case "m.room.topic" -> requireString(content, "topic", false);
            case "m.room.canonical_alias" -> {
                List<String> aliases = new ArrayList<>();
                JsonNode alias = content.get("alias");
                if (alias != null && !alias.isNull()) {
                    if (!alias.isString()) throw new MatrixException("M_BAD_ALIAS", "alias must be a string", 400);
                    aliases.add(alias.stringValue());
                }
                JsonNode alt = content.get("alt_aliases");
                if (alt != null) {
                    if (!alt.isArray()) throw new MatrixException("M_BAD_ALIAS", "alt_aliases must be a list", 400);
                    for (JsonNode a : alt) {
                        if (!a.isString()) throw new MatrixException("M_BAD_ALIAS", "alt_aliases must be a list of aliases", 400);
                        aliases.add(a.stringValue());
                    }
                }
                for (String a : aliases) {
                    RoomAlias parsed;
                    try {
                        parsed = RoomAlias.parse(a);
                    } catch (ProtocolException e) {
                        throw new MatrixException("M_INVALID_PARAM", "Invalid alias " + a + ": " + e.getMessage(), 400);
                    }
                    if (parsed.server().value().equals(serverName)) {
                        Optional<AliasesTable.AliasRow> row = graph.db().read(c -> AliasesTable.get(c, a));
                        if (row.isEmpty() || !row.get().roomId().equals(room.roomId())) {
                            throw new MatrixException("M_BAD_ALIAS", "The alias " + a + " does not point to this room", 400);
                        }
                    }
                }
            }
            case "m.room.server_acl" -> {
                for (String list : List.of("allow", "deny")) {
                    JsonNode n = content.get(list);
                    if (n == null) continue;
                    if (!n.isArray()) throw MatrixException.badJson(list + " must be a list of server name globs");
                    for (JsonNode s : n) if (!s.isString()) throw MatrixException.badJson(list + " must be a list of server name globs");
                }
                JsonNode ip = content.get("allow_ip_literals");
                if (ip != null && !ip.isBoolean()) throw MatrixException.badJson("allow_ip_literals must be a boolean");
            }
            default -> { }
        }
    }

    private static void requireString(ObjectNode content, String field, boolean required) {
        JsonNode v = content.get(field);
        if (v == null && !required) return;
        if (v == null || !v.isString()) throw MatrixException.badJson("'" + field + "' must be a string");
    }

    // ---- membership

    @Override
    public String join(Sender sender, String roomIdOrAlias, Optional<String> reason) {
        RoomInfo room = roomByIdOrAlias(roomIdOrAlias);
        if (sender.guest()) requireGuestAccess(room);
        ObjectNode content = RoomCreation.memberContent("join", sender.userId(), profiles, reason.orElse(null));
        // why: joining a room one is in with the same profile changes nothing; no new event (clients retry joins)
        boolean unchanged = graph.db().read(c -> {
            StoredEvent own = graph.events(c, currentState(c, room)).get(new StateKey(Pdu.MEMBER, sender.userId()));
            return own != null && own.redactedBy() == null && own.pdu().content().equals(content);
        });
        if (unchanged) return room.roomId();
        authoriseRestrictedJoin(room, sender.userId(), content);
        input.send(room, List.of(EventTemplate.state(sender.userId(), Pdu.MEMBER, sender.userId(), content)), Optional.empty());
        return room.roomId();
    }

    /** Guests may join only rooms whose {@code m.room.guest_access} is {@code can_join} (client-server API "Guest access"). */
    private void requireGuestAccess(RoomInfo room) {
        boolean allowed = graph.db().read(c -> {
            StoredEvent e = graph.events(c, currentState(c, room)).get(new StateKey("m.room.guest_access", ""));
            return e != null && "can_join".equals(e.effectivePdu().content().path("guest_access").asString(""));
        });
        if (!allowed) throw MatrixException.forbidden("Guest access is not allowed in this room");
    }

    /**
     * For a restricted room (v8+), names a local member who may invite as {@code join_authorised_via_users_server}
     * when the joiner is in one of the allowed rooms; otherwise leaves the content alone for the auth rules to judge.
     */
    private void authoriseRestrictedJoin(RoomInfo room, String userId, ObjectNode content) {
        if (!room.version().restrictedJoinRule()) return;
        graph.db().read(c -> {
            Snapshot current = currentState(c, room);
            Map<StateKey, StoredEvent> state = graph.events(c, current);
            StoredEvent joinRules = state.get(new StateKey(Pdu.JOIN_RULES, ""));
            if (joinRules == null) return null;
            String rule = joinRules.pdu().content().path("join_rule").asString("");
            if (!rule.equals("restricted") && !(rule.equals("knock_restricted") && room.version().knockRestrictedJoinRule())) return null;
            String mine = membership(state, userId);
            if (mine.equals("join") || mine.equals("invite")) return null;
            boolean allowed = false;
            for (JsonNode entry : joinRules.effectivePdu().content().path("allow")) {
                if (!"m.room_membership".equals(entry.path("type").asString("")) || !entry.path("room_id").isString()) continue;
                Optional<RoomInfo> other = graph.room(c, entry.path("room_id").stringValue());
                if (other.isEmpty()) continue;
                Optional<MembershipTable.MembershipRow> m = MembershipTable.get(c, other.get().roomNid(), userId);
                if (m.isPresent() && m.get().membership().equals("join")) {
                    allowed = true;
                    break;
                }
            }
            if (!allowed) {
                throw MatrixException.forbidden("You are not invited to this room and not in a room its join rule allows");
            }
            PowerLevels power = PowerLevels.of(room.version(), pdu(state, Pdu.POWER_LEVELS, ""), pdu(state, Pdu.CREATE, ""));
            String authoriser = state.entrySet().stream()
                    .filter(e -> e.getKey().type().equals(Pdu.MEMBER) && e.getKey().stateKey().endsWith(":" + serverName))
                    .filter(e -> "join".equals(e.getValue().pdu().content().path("membership").asString("")))
                    .map(e -> e.getKey().stateKey())
                    .filter(u -> power.userLevel(u) >= power.invite())
                    .sorted()
                    .findFirst()
                    .orElseThrow(() -> new MatrixException("M_UNABLE_TO_AUTHORISE_JOIN",
                            "No user of this server in the room may invite you", 400));
            content.put("join_authorised_via_users_server", authoriser);
            return null;
        });
    }

    @Override
    public void setMembership(Sender sender, String roomId, String target, String action, Optional<String> reason) {
        RoomInfo room = knownRoom(roomId);
        RoomCreation.requireUserId(target);
        String current = graph.db().read(c -> membership(graph.events(c, currentState(c, room)), target));
        String membership = switch (action) {
            case "invite" -> "invite";
            case "ban" -> "ban";
            case "kick" -> {
                if (current.equals("ban")) throw MatrixException.forbidden(target + " is banned; unban them instead");
                if (current.equals("leave")) throw MatrixException.forbidden(target + " is not in the room");
                yield "leave";
            }
            case "unban" -> {
                if (!current.equals("ban")) throw MatrixException.forbidden(target + " is not banned");
                yield "leave";
            }
            default -> throw new IllegalArgumentException("unknown membership action " + action);
        };
        ObjectNode content = RoomCreation.memberContent(membership, target, membership.equals("invite") ? profiles : ProfileLookup.NONE,
                reason.orElse(null));
        input.send(room, List.of(EventTemplate.state(sender.userId(), Pdu.MEMBER, target, content)), Optional.empty());
    }

    @Override
    public void leave(Sender sender, String roomId, Optional<String> reason) {
        RoomInfo room = knownRoom(roomId);
        ObjectNode content = RoomCreation.memberContent("leave", sender.userId(), ProfileLookup.NONE, reason.orElse(null));
        input.send(room, List.of(EventTemplate.state(sender.userId(), Pdu.MEMBER, sender.userId(), content)), Optional.empty());
    }

    @Override
    public String knock(Sender sender, String roomIdOrAlias, Optional<String> reason) {
        RoomInfo room = roomByIdOrAlias(roomIdOrAlias);
        ObjectNode content = RoomCreation.memberContent("knock", sender.userId(), profiles, reason.orElse(null));
        input.send(room, List.of(EventTemplate.state(sender.userId(), Pdu.MEMBER, sender.userId(), content)), Optional.empty());
        return room.roomId();
    }

    @Override
    public void forget(Sender sender, String roomId) {
        RoomInfo room = knownRoom(roomId);
        graph.db().write(tx -> {
            Optional<MembershipTable.MembershipRow> m = MembershipTable.get(tx, room.roomNid(), sender.userId());
            if (m.isPresent() && (m.get().membership().equals("join") || m.get().membership().equals("invite")
                    || m.get().membership().equals("knock"))) {
                throw new MatrixException("M_UNKNOWN", "You must leave the room before forgetting it", 400);
            }
            if (m.isPresent()) MembershipTable.forget(tx, room.roomNid(), sender.userId());
            return null;
        });
    }

    // ---- reads

    @Override
    public ObjectNode event(String userId, String roomId, String eventId) {
        Optional<RoomInfo> room = graph.room(roomId);
        if (room.isEmpty()) throw MatrixException.notFound("Event not found");
        return graph.db().read(c -> {
            Optional<StoredEvent> e = graph.event(c, eventId).filter(x -> x.roomId().equals(roomId));
            if (e.isEmpty() || forgotten(c, room.get(), userId) || !visibility.canSee(c, room.get(), userId, e.get())) {
                throw MatrixException.notFound("Event not found or you may not see it");
            }
            return format(c, e.get());
        });
    }

    @Override
    public List<ObjectNode> state(String userId, String roomId) {
        RoomInfo room = readableRoom(roomId);
        return graph.db().read(c -> {
            List<ObjectNode> out = new ArrayList<>();
            for (StoredEvent e : visibleState(c, room, userId).values()) out.add(format(c, e));
            out.sort(Comparator.comparing((ObjectNode o) -> o.path("type").asString()).thenComparing(o -> o.path("state_key").asString()));
            return out;
        });
    }

    @Override
    public ObjectNode stateContent(String userId, String roomId, String type, String stateKey) {
        ObjectNode e = stateEvent(userId, roomId, type, stateKey);
        return (ObjectNode) e.get("content");
    }

    @Override
    public ObjectNode stateEvent(String userId, String roomId, String type, String stateKey) {
        RoomInfo room = readableRoom(roomId);
        return graph.db().read(c -> {
            StoredEvent e = visibleState(c, room, userId).get(new StateKey(type, stateKey));
            if (e == null) throw MatrixException.notFound("The room has no state " + type + " with state key '" + stateKey + "'");
            return format(c, e);
        });
    }

    @Override
    public Map<String, ObjectNode> joinedMembers(String userId, String roomId) {
        RoomInfo room = readableRoom(roomId);
        return graph.db().read(c -> {
            Map<StateKey, StoredEvent> state = graph.events(c, currentState(c, room));
            if (!membership(state, userId).equals("join") && !isWorldReadable(state)) {
                throw MatrixException.forbidden("You are not in this room");
            }
            Map<String, ObjectNode> out = new LinkedHashMap<>();
            state.entrySet().stream()
                    .filter(e -> e.getKey().type().equals(Pdu.MEMBER))
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> {
                        JsonNode content = e.getValue().pdu().content();
                        if (!"join".equals(content.path("membership").asString(""))) return;
                        ObjectNode info = JSON.objectNode();
                        if (content.path("displayname").isString()) info.put("display_name", content.get("displayname").stringValue());
                        if (content.path("avatar_url").isString()) info.put("avatar_url", content.get("avatar_url").stringValue());
                        out.put(e.getKey().stateKey(), info);
                    });
            return out;
        });
    }

    @Override
    public List<String> joinedRooms(String userId) {
        return graph.db().read(c -> MembershipTable.roomsOf(c, userId, "join"));
    }

    // ---- aliases and the directory

    @Override
    public void createAlias(Sender sender, String alias, String roomId) {
        RoomAlias parsed = parseLocalAlias(alias);
        RoomInfo room = knownRoom(roomId);
        graph.db().write(tx -> {
            if (!AliasesTable.insert(tx, parsed.toString(), room.roomId(), sender.userId())) {
                throw new MatrixException("M_UNKNOWN", "The alias " + alias + " already exists", 409);
            }
            return null;
        });
    }

    @Override
    public String resolveAlias(String alias) {
        RoomAlias parsed;
        try {
            parsed = RoomAlias.parse(alias);
        } catch (ProtocolException e) {
            throw MatrixException.invalidParam("Invalid room alias: " + e.getMessage());
        }
        boolean local = parsed.server().value().equals(serverName);
        return graph.db().read(c -> AliasesTable.get(c, parsed.toString()))
                .map(AliasesTable.AliasRow::roomId)
                .orElseThrow(() -> MatrixException.notFound(local ? "Room alias " + alias + " not found"
                        : "Room alias " + alias + " is another server's; asking it needs federation, which is not available yet"));
    }

    @Override
    public void deleteAlias(Sender sender, String alias, boolean isAdmin) {
        RoomAlias parsed = parseLocalAlias(alias);
        AliasesTable.AliasRow row = graph.db().read(c -> AliasesTable.get(c, parsed.toString()))
                .orElseThrow(() -> MatrixException.notFound("Room alias " + alias + " not found"));
        if (!isAdmin && !row.creator().equals(sender.userId())) {
            Optional<RoomInfo> room = graph.room(row.roomId());
            boolean powerful = room.isPresent() && canSendState(room.get(), sender.userId(), "m.room.canonical_alias");
            if (!powerful) throw MatrixException.forbidden("Only the alias's creator, a room moderator or an admin may delete it");
        }
        graph.db().write(tx -> {
            AliasesTable.delete(tx, parsed.toString());
            return null;
        });
    }

    @Override
    public List<String> aliases(String userId, String roomId) {
        RoomInfo room = readableRoom(roomId);
        return graph.db().read(c -> {
            Map<StateKey, StoredEvent> state = graph.events(c, currentState(c, room));
            if (!membership(state, userId).equals("join") && !isWorldReadable(state)) {
                throw MatrixException.forbidden("You are not in this room");
            }
            return AliasesTable.ofRoom(c, room.roomId());
        });
    }

    @Override
    public String directoryVisibility(String roomId) {
        RoomInfo room = graph.room(roomId).orElseThrow(() -> MatrixException.notFound("Unknown room " + roomId));
        return graph.db().read(c -> AliasesTable.isPublished(c, room.roomId())) ? "public" : "private";
    }

    @Override
    public void setDirectoryVisibility(Sender sender, String roomId, String visibility) {
        RoomInfo room = graph.room(roomId).orElseThrow(() -> MatrixException.notFound("Unknown room " + roomId));
        if (!visibility.equals("public") && !visibility.equals("private")) {
            throw MatrixException.invalidParam("visibility must be 'public' or 'private'");
        }
        if (!canSendState(room, sender.userId(), "m.room.canonical_alias")) {
            throw MatrixException.forbidden("You need to be in the room with the power to set its aliases");
        }
        graph.db().write(tx -> {
            AliasesTable.setPublished(tx, room.roomId(), visibility.equals("public"));
            return null;
        });
    }

    @Override
    public ObjectNode publicRooms(Optional<Integer> limit, Optional<String> since, Optional<String> filter) {
        int offset = 0;
        if (since.isPresent()) {
            try {
                offset = Integer.parseInt(since.get().startsWith("o") ? since.get().substring(1) : since.get());
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam("Unknown pagination token");
            }
            if (offset < 0) throw MatrixException.invalidParam("Unknown pagination token");
        }
        int max = limit.orElse(100);
        if (max <= 0) max = 100;
        List<ObjectNode> all = graph.db().read(c -> {
            List<ObjectNode> rooms = new ArrayList<>();
            for (String roomId : AliasesTable.published(c)) {
                Optional<RoomInfo> room = graph.room(c, roomId);
                if (room.isPresent()) rooms.add(summary(c, room.get()));
            }
            return rooms;
        });
        String term = filter.map(f -> f.toLowerCase(Locale.ROOT)).orElse("");
        List<ObjectNode> matching = all.stream()
                .filter(r -> term.isEmpty() || (r.path("name").asString("") + "\n" + r.path("topic").asString("") + "\n"
                        + r.path("canonical_alias").asString("") + "\n" + r.path("room_id").asString("")).toLowerCase(Locale.ROOT).contains(term))
                .sorted(Comparator.comparingInt((ObjectNode r) -> -r.path("num_joined_members").asInt())
                        .thenComparing(r -> r.path("room_id").asString()))
                .toList();
        ObjectNode out = JSON.objectNode();
        ArrayNode chunk = out.putArray("chunk");
        int end = Math.min(matching.size(), offset + max);
        for (int i = offset; i < end; i++) chunk.add(matching.get(i));
        if (end < matching.size()) out.put("next_batch", "o" + end);
        if (offset > 0) out.put("prev_batch", "o" + Math.max(0, offset - max));
        out.put("total_room_count_estimate", matching.size());
        return out;
    }

    private ObjectNode summary(Connection c, RoomInfo room) throws SQLException {
        Map<StateKey, StoredEvent> state = graph.events(c, currentState(c, room));
        ObjectNode s = JSON.objectNode();
        s.put("room_id", room.roomId());
        copyString(state, "m.room.name", "name", s, "name");
        copyString(state, "m.room.topic", "topic", s, "topic");
        copyString(state, "m.room.canonical_alias", "alias", s, "canonical_alias");
        copyString(state, "m.room.avatar", "url", s, "avatar_url");
        long joined = state.entrySet().stream().filter(e -> e.getKey().type().equals(Pdu.MEMBER))
                .filter(e -> "join".equals(e.getValue().pdu().content().path("membership").asString(""))).count();
        s.put("num_joined_members", joined);
        s.put("world_readable", isWorldReadable(state));
        StoredEvent guest = state.get(new StateKey("m.room.guest_access", ""));
        s.put("guest_can_join", guest != null && "can_join".equals(guest.effectivePdu().content().path("guest_access").asString("")));
        StoredEvent rules = state.get(new StateKey(Pdu.JOIN_RULES, ""));
        s.put("join_rule", rules == null ? "invite" : rules.pdu().content().path("join_rule").asString("invite"));
        StoredEvent create = state.get(new StateKey(Pdu.CREATE, ""));
        if (create != null && create.pdu().content().path("type").isString()) s.put("room_type", create.pdu().content().get("type").stringValue());
        return s;
    }

    private static void copyString(Map<StateKey, StoredEvent> state, String type, String field, ObjectNode out, String as) {
        StoredEvent e = state.get(new StateKey(type, ""));
        if (e != null && e.redactedBy() == null && e.pdu().content().path(field).isString()) {
            out.put(as, e.pdu().content().get(field).stringValue());
        }
    }

    // ---- upgrades, profiles, spaces, reports, time

    @Override
    public String upgradeRoom(Sender sender, String roomId, String newVersion, List<String> additionalCreators) {
        return upgrades.upgrade(sender.userId(), knownRoom(roomId), newVersion, additionalCreators);
    }

    @Override
    public void profileChanged(String userId) {
        for (String roomId : joinedRooms(userId)) {
            Optional<RoomInfo> room = graph.room(roomId);
            if (room.isEmpty()) continue;
            ObjectNode content = RoomCreation.memberContent("join", userId, profiles, null);
            try {
                input.send(room.get(), List.of(EventTemplate.state(userId, Pdu.MEMBER, userId, content)), Optional.empty());
            } catch (MatrixException e) {
                // why: one room refusing (e.g. its power levels) must not stop the others from being updated
                LOG.info("Profile update of {} not sent to {}: {}", userId, roomId, e.getMessage());
            }
        }
    }

    @Override
    public ObjectNode hierarchy(String userId, String roomId, boolean suggestedOnly, Optional<Integer> maxDepth,
                                Optional<Integer> limit, Optional<String> from) {
        RoomInfo root = graph.room(roomId).orElseThrow(() -> MatrixException.notFound("Unknown room " + roomId));
        int offset = 0;
        if (from.isPresent()) {
            try {
                offset = Integer.parseInt(from.get().startsWith("h") ? from.get().substring(1) : "x");
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam("Unknown pagination token");
            }
        }
        int max = Math.max(1, Math.min(limit.orElse(50), 100));
        int depthLimit = maxDepth.orElse(Integer.MAX_VALUE);
        if (depthLimit < 0) throw MatrixException.invalidParam("max_depth must not be negative");
        int wanted = offset + max + 1;
        List<ObjectNode> rooms = graph.db().read(c -> {
            List<ObjectNode> out = new ArrayList<>();
            java.util.ArrayDeque<Map.Entry<String, Integer>> queue = new java.util.ArrayDeque<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            queue.add(Map.entry(root.roomId(), 0));
            seen.add(root.roomId());
            while (!queue.isEmpty() && out.size() < wanted) {
                Map.Entry<String, Integer> next = queue.poll();
                Optional<RoomInfo> room = graph.room(c, next.getKey());
                if (room.isEmpty()) continue;
                Map<StateKey, StoredEvent> state = graph.events(c, currentState(c, room.get()));
                if (!accessible(state, userId)) {
                    if (next.getKey().equals(root.roomId())) throw MatrixException.forbidden("You may not see this room's hierarchy");
                    continue;
                }
                ObjectNode summary = summary(c, room.get());
                ArrayNode children = summary.putArray("children_state");
                List<Map.Entry<StateKey, StoredEvent>> childEvents = state.entrySet().stream()
                        .filter(e -> e.getKey().type().equals("m.space.child"))
                        .sorted(Map.Entry.comparingByKey()).toList();
                for (Map.Entry<StateKey, StoredEvent> e : childEvents) {
                    JsonNode content = e.getValue().pdu().content();
                    if (!content.path("via").isArray() || content.path("via").isEmpty()) continue;
                    if (suggestedOnly && !content.path("suggested").asBoolean(false)) continue;
                    ObjectNode stripped = JSON.objectNode();
                    stripped.put("type", "m.space.child");
                    stripped.put("state_key", e.getKey().stateKey());
                    stripped.set("content", content.deepCopy());
                    stripped.put("sender", e.getValue().pdu().sender());
                    stripped.put("origin_server_ts", e.getValue().pdu().originServerTs());
                    children.add(stripped);
                    if (next.getValue() < depthLimit && seen.add(e.getKey().stateKey())) {
                        queue.add(Map.entry(e.getKey().stateKey(), next.getValue() + 1));
                    }
                }
                out.add(summary);
            }
            return out;
        });
        ObjectNode out = JSON.objectNode();
        ArrayNode chunk = out.putArray("rooms");
        for (int i = offset; i < Math.min(rooms.size(), offset + max); i++) chunk.add(rooms.get(i));
        if (rooms.size() > offset + max) out.put("next_batch", "h" + (offset + max));
        return out;
    }

    /** Whether a room's summary may be shown to the user: joined, or world readable, or open to join or knock. */
    private static boolean accessible(Map<StateKey, StoredEvent> state, String userId) {
        if (membership(state, userId).equals("join") || isWorldReadable(state)) return true;
        StoredEvent rules = state.get(new StateKey(Pdu.JOIN_RULES, ""));
        String rule = rules == null ? "invite" : rules.pdu().content().path("join_rule").asString("invite");
        return rule.equals("public") || rule.equals("knock") || rule.equals("knock_restricted") || rule.equals("restricted");
    }

    @Override
    public ObjectNode timestampToEvent(String userId, String roomId, long ts, boolean forwards) {
        RoomInfo room = readableRoom(roomId);
        return graph.db().read(c -> {
            visibleState(c, room, userId);
            Optional<dev.myelin.roomserver.storage.EventsTable.EventRow> row =
                    dev.myelin.roomserver.storage.EventsTable.closestTo(c, room.roomNid(), ts, forwards);
            if (row.isEmpty()) throw MatrixException.notFound("No event found " + (forwards ? "after" : "before") + " " + ts);
            StoredEvent e = graph.event(c, row.get().eventNid());
            if (!visibility.canSee(c, room, userId, e)) {
                throw MatrixException.notFound("No event you may see " + (forwards ? "after" : "before") + " " + ts);
            }
            ObjectNode out = JSON.objectNode();
            out.put("event_id", e.eventId());
            out.put("origin_server_ts", e.pdu().originServerTs());
            return out;
        });
    }

    @Override
    public void report(Sender sender, String roomId, String eventId, String userId, Optional<String> reason, Optional<Long> score) {
        if (roomId != null) {
            RoomInfo room = graph.room(roomId).orElseThrow(() -> MatrixException.notFound("Unknown room " + roomId));
            if (eventId != null) {
                // why: the spec answers 404 both for an unknown event and for one the reporter may not see
                graph.db().read(c -> {
                    Optional<StoredEvent> e = graph.event(c, eventId).filter(x -> x.roomId().equals(roomId));
                    if (e.isEmpty() || !visibility.canSee(c, room, sender.userId(), e.get())) {
                        throw MatrixException.notFound("Event not found or you may not see it");
                    }
                    return null;
                });
            }
        }
        if (score.isPresent() && (score.get() < -100 || score.get() > 0)) {
            throw MatrixException.invalidParam("score must be between -100 and 0");
        }
        graph.db().write(tx -> {
            dev.myelin.roomserver.storage.ReportsTable.insert(tx, new dev.myelin.roomserver.storage.ReportsTable.Report(
                    clock.millis(), sender.userId(), roomId, eventId, userId, reason.orElse(null), score.orElse(null)));
            return null;
        });
    }

    // ---- for other components

    @Override
    public List<StoredEvent> currentState(String roomId) {
        RoomInfo room = graph.room(roomId).orElseThrow(() -> MatrixException.notFound("Unknown room " + roomId));
        return graph.db().read(c -> sortedState(graph.events(c, currentState(c, room))));
    }

    @Override
    public List<StoredEvent> stateBefore(String eventId) {
        return graph.db().read(c -> {
            if (graph.event(c, eventId).isEmpty()) throw MatrixException.notFound("Unknown event " + eventId);
            return sortedState(graph.events(c, graph.snapshot(c, graph.stateBefore(c, eventId))));
        });
    }

    @Override
    public List<String> visibleTo(String userId, List<String> eventIds) {
        return graph.db().read(c -> {
            List<String> out = new ArrayList<>();
            for (String id : eventIds) {
                Optional<StoredEvent> e = graph.event(c, id);
                if (e.isEmpty()) continue;
                Optional<RoomInfo> room = graph.room(c, e.get().roomId());
                if (room.isPresent() && visibility.canSee(c, room.get(), userId, e.get())) out.add(id);
            }
            return out;
        });
    }

    private static List<StoredEvent> sortedState(Map<StateKey, StoredEvent> state) {
        return state.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).toList();
    }

    // ---- helpers

    private RoomInfo knownRoom(String roomId) {
        if (!roomId.startsWith("!")) throw MatrixException.invalidParam("Not a room ID: " + roomId);
        return graph.room(roomId).orElseThrow(() -> MatrixException.notFound("Unknown room " + roomId));
    }

    /** For reads: an unknown room looks like a room the user is not in (403), as the spec's read endpoints say. */
    private RoomInfo readableRoom(String roomId) {
        return graph.room(roomId).orElseThrow(() -> MatrixException.forbidden("You are not in the room " + roomId));
    }

    private RoomInfo roomByIdOrAlias(String roomIdOrAlias) {
        String roomId;
        if (roomIdOrAlias.startsWith("#")) {
            roomId = resolveAlias(roomIdOrAlias);
        } else if (roomIdOrAlias.startsWith("!")) {
            roomId = roomIdOrAlias;
        } else {
            throw MatrixException.invalidParam("Not a room ID or alias: " + roomIdOrAlias);
        }
        return graph.room(roomId).orElseThrow(() -> MatrixException.notFound(
                "This server does not know the room " + roomId + " (joining over federation is not supported yet)"));
    }

    private RoomAlias parseLocalAlias(String alias) {
        RoomAlias parsed;
        try {
            parsed = RoomAlias.parse(alias);
        } catch (ProtocolException e) {
            throw MatrixException.invalidParam("Invalid room alias: " + e.getMessage());
        }
        if (!parsed.server().value().equals(serverName)) {
            throw MatrixException.invalidParam("The alias must be on this server (" + serverName + ")");
        }
        return parsed;
    }

    private Snapshot currentState(Connection c, RoomInfo room) throws SQLException {
        long nid = RoomsTable.byNid(c, room.roomNid()).orElseThrow().stateSnapshotNid();
        return graph.snapshot(c, nid);
    }

    private PowerLevels currentPowerLevels(RoomInfo room) {
        return graph.db().read(c -> {
            Map<StateKey, StoredEvent> state = graph.events(c, currentState(c, room));
            return PowerLevels.of(room.version(), pdu(state, Pdu.POWER_LEVELS, ""), pdu(state, Pdu.CREATE, ""));
        });
    }

    private boolean canSendState(RoomInfo room, String userId, String type) {
        return graph.db().read(c -> {
            Map<StateKey, StoredEvent> state = graph.events(c, currentState(c, room));
            if (!membership(state, userId).equals("join")) return false;
            PowerLevels power = PowerLevels.of(room.version(), pdu(state, Pdu.POWER_LEVELS, ""), pdu(state, Pdu.CREATE, ""));
            return power.userLevel(userId) >= power.eventLevel(type, true);
        });
    }

    /**
     * The state {@code userId} may read: the current state while joined (or when the room is world readable), the
     * state when they left for a user who left or was kicked or banned, else 403.
     */
    private Map<StateKey, StoredEvent> visibleState(Connection c, RoomInfo room, String userId) throws SQLException {
        Map<StateKey, StoredEvent> current = graph.events(c, currentState(c, room));
        String mine = membership(current, userId);
        if (mine.equals("join")) return current;
        // why: after POST /forget the room's history is no longer the user's to read (spec: forgetRoom)
        if (forgotten(c, room, userId)) throw MatrixException.forbidden("You have forgotten the room " + room.roomId());
        if (isWorldReadable(current)) return current;
        if (mine.equals("leave") || mine.equals("ban")) {
            StoredEvent own = current.get(new StateKey(Pdu.MEMBER, userId));
            if (own != null) {
                Snapshot before = graph.snapshot(c, graph.stateBefore(c, own.eventId()));
                Map<StateKey, StoredEvent> atLeave = new HashMap<>(graph.events(c, before));
                if (membership(atLeave, userId).equals("join")) {
                    atLeave.put(new StateKey(Pdu.MEMBER, userId), own);
                    return atLeave;
                }
            }
        }
        throw MatrixException.forbidden("You are not in the room " + room.roomId());
    }

    private static boolean forgotten(Connection c, RoomInfo room, String userId) throws SQLException {
        return MembershipTable.get(c, room.roomNid(), userId).map(MembershipTable.MembershipRow::forgotten).orElse(false);
    }

    private static boolean isWorldReadable(Map<StateKey, StoredEvent> state) {
        StoredEvent hv = state.get(new StateKey(Pdu.HISTORY_VISIBILITY, ""));
        return hv != null && "world_readable".equals(hv.pdu().content().path("history_visibility").asString(""));
    }

    private static String membership(Map<StateKey, StoredEvent> state, String userId) {
        StoredEvent m = state.get(new StateKey(Pdu.MEMBER, userId));
        return m == null ? "leave" : m.pdu().content().path("membership").asString("leave");
    }

    private static Pdu pdu(Map<StateKey, StoredEvent> state, String type, String key) {
        StoredEvent e = state.get(new StateKey(type, key));
        return e == null ? null : e.effectivePdu();
    }

    private ObjectNode format(Connection c, StoredEvent e) {
        return ClientEvents.format(e, id -> {
            try {
                return graph.event(c, id).orElse(null);
            } catch (SQLException ex) {
                throw RoomGraph.unchecked(ex);
            }
        }, profiles.isErased(e.pdu().sender()));
    }

    // ---- deactivation

    @Override
    public void leaveAll(String userId, Optional<String> reason) {
        List<String> rooms = graph.db().read(c -> {
            List<String> out = new ArrayList<>();
            for (String membership : List.of("join", "invite", "knock")) out.addAll(MembershipTable.roomsOf(c, userId, membership));
            return out;
        });
        Sender sender = new Sender(userId, null);
        for (String roomId : rooms) {
            try {
                leave(sender, roomId, reason);
            } catch (MatrixException e) {
                // why: one room refusing the leave must not keep the user in every other room
                LOG.info("Deactivated {} could not leave {}: {}", userId, roomId, e.getMessage());
            }
        }
    }
}
