package dev.myelin.protocol.auth;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.id.UserId;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The authorisation rules of every room version (1–12): whether an event is allowed given the state it is
 * authorised against. {@link #check(Pdu, AuthEvents)} applies the rules that read state;
 * {@link #checkAuthEvents(Pdu, Collection, Pdu)} applies them to the event's own {@code auth_events}, first checking
 * that those are the right ones. Whether an auth event was itself rejected is the caller's business.
 * See the "Authorisation rules" section of each room version in the spec.
 */
public final class AuthRules {

    private final ThirdPartyInviteVerifier thirdPartyInviteVerifier;

    private static final AuthRules STANDARD = new AuthRules(new Ed25519ThirdPartyInviteVerifier());

    /** The rules with the real (Ed25519 over canonical JSON) third-party invite check. */
    public static AuthRules standard() {
        return STANDARD;
    }

    /**
     * @param thirdPartyInviteVerifier checks the signatures of a third-party invite's {@code signed} object
     */
    public AuthRules(ThirdPartyInviteVerifier thirdPartyInviteVerifier) {
        this.thirdPartyInviteVerifier = Objects.requireNonNull(thirdPartyInviteVerifier);
    }

    /**
     * Checks an event against its own {@code auth_events}: the rules on the auth events themselves (no duplicate
     * (type, state key), only pairs the auth events selection picks, same room, a create event before v12), then
     * the rules that read state, with the auth events as the state.
     *
     * @param authEvents  the events the event's {@code auth_events} name (exactly those)
     * @param createEvent from room version 12, the room's create event (found by the room ID); ignored before
     */
    public AuthResult checkAuthEvents(Pdu event, Collection<Pdu> authEvents, Pdu createEvent) {
        RoomVersion v = event.roomVersion();
        if (isCreate(event)) return check(event, AuthEvents.of(Map.of()));
        var allowedKeys = new HashSet<>(AuthEventSelection.keys(event));
        var byKey = new HashMap<StateKey, Pdu>();
        for (Pdu a : authEvents) {
            if (!a.isState()) return AuthResult.rejected("auth event " + a.eventId() + " is not a state event");
            var key = new StateKey(a.type(), a.stateKey());
            if (byKey.put(key, a) != null) {
                return AuthResult.rejected("auth_events has duplicate entries for (" + a.type() + ", " + a.stateKey() + ")");
            }
            if (!allowedKeys.contains(key)) {
                return AuthResult.rejected("auth_events entry (" + a.type() + ", " + a.stateKey()
                        + ") is not selected by the auth events selection algorithm");
            }
            if (!Objects.equals(a.roomId(), event.roomId())) {
                return AuthResult.rejected("auth event " + a.eventId() + " belongs to another room");
            }
        }
        if (v.roomIdFromCreateEvent()) {
            if (createEvent != null) byKey.put(new StateKey(Pdu.CREATE, ""), createEvent);
        } else if (!byKey.containsKey(new StateKey(Pdu.CREATE, ""))) {
            return AuthResult.rejected("auth_events has no m.room.create event");
        }
        return check(event, AuthEvents.of(byKey));
    }

    /** Applies the rules that read state: is {@code event} allowed in a room whose relevant state is {@code state}? */
    public AuthResult check(Pdu event, AuthEvents state) {
        RoomVersion v = event.roomVersion();
        if (isCreate(event)) return checkCreate(event);

        Pdu create = state.create();
        if (v.roomIdFromCreateEvent()) {
            if (create == null || !isCreate(create) || !create.eventId().startsWith("$")
                    || !event.roomId().equals("!" + create.eventId().substring(1))) {
                return AuthResult.rejected("room_id is not the ID of an accepted m.room.create event");
            }
        } else if (create == null) {
            return AuthResult.rejected("no m.room.create event in the state");
        }
        JsonNode federate = create.content().get("m.federate");
        if (federate != null && federate.isBoolean() && !federate.booleanValue()
                && !event.senderServer().equals(create.senderServer())) {
            return AuthResult.rejected("m.federate is false and the sender is not on the creator's server");
        }

        if (v.specialCaseAliasesAuth() && Pdu.ALIASES.equals(event.type())) {
            if (event.stateKey() == null) return AuthResult.rejected("m.room.aliases has no state_key");
            if (!event.senderServer().equals(event.stateKey())) {
                return AuthResult.rejected("m.room.aliases state_key does not match the sender's server");
            }
            return AuthResult.allowed();
        }

        PowerLevels power = state.powerLevels(v);
        if (Pdu.MEMBER.equals(event.type())) return checkMember(event, state, create, power);

        String senderMembership = membership(state, event.sender());
        if (!"join".equals(senderMembership)) return AuthResult.rejected("the sender is not joined to the room");

        long senderLevel = power.userLevel(event.sender());
        if (Pdu.THIRD_PARTY_INVITE.equals(event.type())) {
            return senderLevel >= power.invite() ? AuthResult.allowed()
                    : AuthResult.rejected("the sender's power level is below the invite level");
        }
        if (power.eventLevel(event.type(), event.isState()) > senderLevel) {
            return AuthResult.rejected("the sender's power level is below the required power level for " + event.type());
        }
        if (event.stateKey() != null && event.stateKey().startsWith("@") && !event.stateKey().equals(event.sender())) {
            return AuthResult.rejected("the state_key starts with @ and is not the sender");
        }
        if (Pdu.POWER_LEVELS.equals(event.type())) {
            return checkPowerLevels(event, state.get(Pdu.POWER_LEVELS, ""), power, senderLevel);
        }
        if (redactionInAuthRules(v) && Pdu.REDACTION.equals(event.type())) {
            return checkRedactionV1(event, power, senderLevel);
        }
        return AuthResult.allowed();
    }

    // why: only v1–2 check redactions in the auth rules (from v3 see "handling redactions"); RoomVersion has no flag
    // for it, and v1–2 are exactly the versions with server-assigned event IDs
    static boolean redactionInAuthRules(RoomVersion v) {
        return v.eventIdFormat() == RoomVersion.EventIdFormat.SERVER_ASSIGNED;
    }

    private static boolean isCreate(Pdu event) {
        return Pdu.CREATE.equals(event.type()) && "".equals(event.stateKey());
    }

    private AuthResult checkCreate(Pdu event) {
        RoomVersion v = event.roomVersion();
        if (!event.prevEventIds().isEmpty()) return AuthResult.rejected("m.room.create has prev_events");
        if (v.roomIdFromCreateEvent()) {
            if (event.json().has("room_id")) return AuthResult.rejected("m.room.create has a room_id");
        } else {
            if (!serverOf(event.roomId()).equals(event.senderServer())) {
                return AuthResult.rejected("the room_id's server does not match the sender's server in m.room.create");
            }
        }
        JsonNode roomVersion = event.content().get("room_version");
        if (roomVersion != null && (!roomVersion.isString() || RoomVersions.find(roomVersion.stringValue()).isEmpty())) {
            return AuthResult.rejected("m.room.create content.room_version is not a recognised room version");
        }
        if (v.privilegedCreators()) {
            JsonNode extra = event.content().get("additional_creators");
            if (extra != null) {
                if (!extra.isArray()) return AuthResult.rejected("additional_creators is not an array of user IDs");
                for (JsonNode n : extra) {
                    if (!n.isString() || !isUserId(n.stringValue())) {
                        return AuthResult.rejected("additional_creators contains an invalid user ID");
                    }
                }
            }
        }
        if (!v.creatorFromSender()) {
            JsonNode creator = event.content().get("creator");
            if (creator == null) return AuthResult.rejected("m.room.create content has no creator");
        }
        return AuthResult.allowed();
    }

    private AuthResult checkMember(Pdu event, AuthEvents state, Pdu create, PowerLevels power) {
        RoomVersion v = event.roomVersion();
        String target = event.stateKey();
        JsonNode membershipNode = event.content().get("membership");
        if (target == null || membershipNode == null) {
            return AuthResult.rejected("m.room.member has no state_key or no content.membership");
        }
        if (!membershipNode.isString()) return AuthResult.rejected("unknown membership");
        String membership = membershipNode.stringValue();
        String sender = event.sender();

        String via = null;
        if (v.restrictedJoinRule() && event.content().has("join_authorised_via_users_server")) {
            JsonNode viaNode = event.content().get("join_authorised_via_users_server");
            if (!viaNode.isString() || !isUserId(viaNode.stringValue())) {
                return AuthResult.rejected("join_authorised_via_users_server is not a user ID");
            }
            via = viaNode.stringValue();
            // why: the signature itself is verified with the event's other signatures on receipt; here we require it
            if (!signedBy(event, serverOf(via))) {
                return AuthResult.rejected("the event is not signed by the server of join_authorised_via_users_server");
            }
        }

        String senderMembership = membership(state, sender);
        String targetMembership = membership(state, target);
        String joinRule = joinRule(state);
        long senderLevel = power.userLevel(sender);
        long targetLevel = power.userLevel(target);

        switch (membership) {
            case "join" -> {
                List<String> prev = event.prevEventIds();
                if (prev.size() == 1 && prev.get(0).equals(create.eventId()) && isCreatorForFirstJoin(v, create, target)) {
                    return AuthResult.allowed();
                }
                if (!sender.equals(target)) return AuthResult.rejected("join: the sender does not match the state_key");
                if ("ban".equals(senderMembership)) return AuthResult.rejected("join: the sender is banned");
                if ("invite".equals(joinRule) || (v.knockJoinRule() && "knock".equals(joinRule))) {
                    return "invite".equals(senderMembership) || "join".equals(senderMembership) ? AuthResult.allowed()
                            : AuthResult.rejected("join: the join rule is " + joinRule + " and the sender is not invited");
                }
                if ((v.restrictedJoinRule() && "restricted".equals(joinRule))
                        || (v.knockRestrictedJoinRule() && "knock_restricted".equals(joinRule))) {
                    if ("join".equals(senderMembership) || "invite".equals(senderMembership)) return AuthResult.allowed();
                    if (via == null || !"join".equals(membership(state, via)) || power.userLevel(via) < power.invite()) {
                        return AuthResult.rejected("join: restricted join not authorised by a joined user who may invite");
                    }
                    return AuthResult.allowed();
                }
                if ("public".equals(joinRule)) return AuthResult.allowed();
                return AuthResult.rejected("join: the join rule " + (joinRule == null ? "(none)" : joinRule) + " does not allow joining");
            }
            case "invite" -> {
                if (event.content().has("third_party_invite")) {
                    return checkThirdPartyInvite(event, state, targetMembership);
                }
                if (!"join".equals(senderMembership)) return AuthResult.rejected("invite: the sender is not joined");
                if ("join".equals(targetMembership) || "ban".equals(targetMembership)) {
                    return AuthResult.rejected("invite: the target is " + ("join".equals(targetMembership) ? "already joined" : "banned"));
                }
                return senderLevel >= power.invite() ? AuthResult.allowed()
                        : AuthResult.rejected("invite: the sender's power level is below the invite level");
            }
            case "leave" -> {
                if (sender.equals(target)) {
                    boolean ok = "invite".equals(senderMembership) || "join".equals(senderMembership)
                            || (v.knockJoinRule() && "knock".equals(senderMembership));
                    return ok ? AuthResult.allowed()
                            : AuthResult.rejected("leave: the sender is not invited, joined" + (v.knockJoinRule() ? " or knocking" : ""));
                }
                if (!"join".equals(senderMembership)) return AuthResult.rejected("leave: the sender is not joined");
                if ("ban".equals(targetMembership) && senderLevel < power.ban()) {
                    return AuthResult.rejected("leave: unbanning needs the ban level");
                }
                if (senderLevel >= power.kick() && targetLevel < senderLevel) return AuthResult.allowed();
                return AuthResult.rejected("leave: kicking needs the kick level and a power level above the target's");
            }
            case "ban" -> {
                if (!"join".equals(senderMembership)) return AuthResult.rejected("ban: the sender is not joined");
                if (senderLevel >= power.ban() && targetLevel < senderLevel) return AuthResult.allowed();
                return AuthResult.rejected("ban: banning needs the ban level and a power level above the target's");
            }
            case "knock" -> {
                if (!v.knockJoinRule()) return AuthResult.rejected("unknown membership knock in room version " + v.id());
                boolean knockable = "knock".equals(joinRule) || (v.knockRestrictedJoinRule() && "knock_restricted".equals(joinRule));
                if (!knockable) return AuthResult.rejected("knock: the join rule does not allow knocking");
                if (!sender.equals(target)) return AuthResult.rejected("knock: the sender does not match the state_key");
                if ("ban".equals(senderMembership) || "invite".equals(senderMembership) || "join".equals(senderMembership)) {
                    return AuthResult.rejected("knock: the sender is " + senderMembership);
                }
                return AuthResult.allowed();
            }
            default -> {
                return AuthResult.rejected("unknown membership " + membership);
            }
        }
    }

    // why: "the state_key is the creator" — before v11 content.creator, from v11 the create event's sender
    private static boolean isCreatorForFirstJoin(RoomVersion v, Pdu create, String target) {
        if (v.creatorFromSender()) return create.sender().equals(target);
        JsonNode creator = create.content().get("creator");
        return creator != null && creator.isString() && creator.stringValue().equals(target);
    }

    private AuthResult checkThirdPartyInvite(Pdu event, AuthEvents state, String targetMembership) {
        if ("ban".equals(targetMembership)) return AuthResult.rejected("third-party invite: the target is banned");
        JsonNode tpi = event.content().get("third_party_invite");
        JsonNode signedNode = tpi == null ? null : tpi.get("signed");
        if (!(signedNode instanceof ObjectNode signed)) {
            return AuthResult.rejected("third-party invite: content.third_party_invite has no signed object");
        }
        JsonNode mxid = signed.get("mxid");
        JsonNode token = signed.get("token");
        if (mxid == null || token == null || !mxid.isString() || !token.isString()) {
            return AuthResult.rejected("third-party invite: signed has no mxid and token");
        }
        if (!mxid.stringValue().equals(event.stateKey())) {
            return AuthResult.rejected("third-party invite: signed.mxid does not match the state_key");
        }
        Pdu invite = state.get(Pdu.THIRD_PARTY_INVITE, token.stringValue());
        if (invite == null) {
            return AuthResult.rejected("third-party invite: no m.room.third_party_invite event for the token");
        }
        if (!invite.sender().equals(event.sender())) {
            return AuthResult.rejected("third-party invite: the sender did not send the m.room.third_party_invite");
        }
        for (String key : publicKeys(invite.content())) {
            if (thirdPartyInviteVerifier.anySignatureMatches(signed, key)) return AuthResult.allowed();
        }
        return AuthResult.rejected("third-party invite: no signature in signed matches a public key of the m.room.third_party_invite");
    }

    private static List<String> publicKeys(ObjectNode content) {
        var keys = new java.util.ArrayList<String>();
        JsonNode single = content.get("public_key");
        if (single != null && single.isString()) keys.add(single.stringValue());
        JsonNode many = content.get("public_keys");
        if (many != null && many.isArray()) {
            for (JsonNode k : many) {
                JsonNode pk = k.get("public_key");
                if (pk != null && pk.isString()) keys.add(pk.stringValue());
            }
        }
        return keys;
    }

    private AuthResult checkPowerLevels(Pdu event, Pdu previous, PowerLevels current, long senderLevel) {
        RoomVersion v = event.roomVersion();
        ObjectNode content = event.content();
        String invalid = invalidPowerLevelsContent(v, content);
        if (invalid != null) return AuthResult.rejected("m.room.power_levels: " + invalid);
        if (v.privilegedCreators()) {
            JsonNode users = content.get("users");
            if (users != null) {
                for (String creator : current.creators()) {
                    if (users.has(creator)) return AuthResult.rejected("m.room.power_levels: users contains the room creator " + creator);
                }
            }
        }
        if (previous == null) return AuthResult.allowed();

        PowerLevels oldLevels = PowerLevels.ofContent(v, previous.content());
        PowerLevels newLevels = PowerLevels.ofContent(v, content);
        for (String key : PowerLevels.LEVEL_KEYS) {
            Long oldValue = oldLevels.explicitLevel(key);
            Long newValue = newLevels.explicitLevel(key);
            if (Objects.equals(oldValue, newValue)) continue;
            if (oldValue != null && oldValue > senderLevel) {
                return AuthResult.rejected("m.room.power_levels: the current " + key + " is above the sender's power level");
            }
            if (newValue != null && newValue > senderLevel) {
                return AuthResult.rejected("m.room.power_levels: the new " + key + " is above the sender's power level");
            }
        }
        String r = checkMapChanges("events", oldLevels.events(), newLevels.events(), senderLevel);
        if (r != null) return AuthResult.rejected(r);
        if (v.limitNotificationsPowerLevels()) {
            r = checkMapChanges("notifications", oldLevels.notifications(), newLevels.notifications(), senderLevel);
            if (r != null) return AuthResult.rejected(r);
        }
        Set<String> userIds = new HashSet<>(oldLevels.users().keySet());
        userIds.addAll(newLevels.users().keySet());
        for (String user : userIds) {
            Long oldValue = oldLevels.users().get(user);
            Long newValue = newLevels.users().get(user);
            if (Objects.equals(oldValue, newValue)) continue;
            if (oldValue != null && !user.equals(event.sender()) && oldValue >= senderLevel) {
                return AuthResult.rejected("m.room.power_levels: cannot change the level of " + user + ", whose level is not below the sender's");
            }
            if (newValue != null && newValue > senderLevel) {
                return AuthResult.rejected("m.room.power_levels: cannot give " + user + " a level above the sender's");
            }
        }
        return AuthResult.allowed();
    }

    private static String checkMapChanges(String property, Map<String, Long> old, Map<String, Long> now, long senderLevel) {
        Set<String> keys = new HashSet<>(old.keySet());
        keys.addAll(now.keySet());
        for (String key : keys) {
            Long oldValue = old.get(key);
            Long newValue = now.get(key);
            if (Objects.equals(oldValue, newValue)) continue;
            if (oldValue != null && oldValue > senderLevel) {
                return "m.room.power_levels: the current " + property + "[" + key + "] is above the sender's power level";
            }
            if (newValue != null && newValue > senderLevel) {
                return "m.room.power_levels: the new " + property + "[" + key + "] is above the sender's power level";
            }
        }
        return null;
    }

    /**
     * What is wrong with a power levels content in this room version, or {@code null}. From v10 every level must
     * be an integer (rules 10.1–10.3 of v12). Before v10 the spec only checks {@code users}; we also reject values
     * that are not power levels at all (e.g. {@code "abc"}), since they cannot be compared.
     */
    static String invalidPowerLevelsContent(RoomVersion v, ObjectNode content) {
        for (String key : PowerLevels.LEVEL_KEYS) {
            JsonNode n = content.get(key);
            if (n != null && PowerLevels.parseLevel(v, n) == null) return key + " is not an integer";
        }
        for (String property : List.of("events", "notifications")) {
            JsonNode n = content.get(property);
            if (n == null) continue;
            // why: before v6 the rules never read notifications, so nothing in it can make the event fail
            if (property.equals("notifications") && !v.limitNotificationsPowerLevels()) continue;
            if (!n.isObject()) return property + " is not an object";
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (PowerLevels.parseLevel(v, e.getValue()) == null) return property + "[" + e.getKey() + "] is not an integer";
            }
        }
        JsonNode users = content.get("users");
        if (users != null) {
            if (!users.isObject()) return "users is not an object";
            for (Map.Entry<String, JsonNode> e : users.properties()) {
                if (!isUserId(e.getKey())) return "users has an invalid user ID " + e.getKey();
                if (PowerLevels.parseLevel(v, e.getValue()) == null) return "users[" + e.getKey() + "] is not an integer";
            }
        }
        return null;
    }

    private static AuthResult checkRedactionV1(Pdu event, PowerLevels power, long senderLevel) {
        if (senderLevel >= power.redact()) return AuthResult.allowed();
        String redacts = event.redacts();
        if (redacts != null && serverOf(redacts).equals(serverOf(event.eventId()))) return AuthResult.allowed();
        return AuthResult.rejected("redaction: the sender is below the redact level and the redacted event is from another server");
    }

    private static String membership(AuthEvents state, String userId) {
        Pdu member = state.get(Pdu.MEMBER, userId);
        if (member == null) return null;
        JsonNode m = member.content().get("membership");
        return m != null && m.isString() ? m.stringValue() : null;
    }

    private static String joinRule(AuthEvents state) {
        Pdu rules = state.get(Pdu.JOIN_RULES, "");
        if (rules == null) return null;
        JsonNode r = rules.content().get("join_rule");
        return r != null && r.isString() ? r.stringValue() : null;
    }

    private static boolean signedBy(Pdu event, String server) {
        JsonNode signatures = event.json().get("signatures");
        if (signatures == null || !signatures.isObject()) return false;
        JsonNode byServer = signatures.get(server);
        return byServer != null && byServer.isObject() && !byServer.isEmpty();
    }

    /** The server name of a user, room or event ID ({@code sigil localpart:server}), or "" when there is none. */
    static String serverOf(String id) {
        if (id == null) return "";
        int colon = id.indexOf(':');
        return colon < 0 ? "" : id.substring(colon + 1);
    }

    /** Whether {@code s} is a user ID by the historical grammar events may carry. */
    static boolean isUserId(String s) {
        try {
            UserId.parse(s);
            return true;
        } catch (ProtocolException e) {
            return false;
        }
    }
}
