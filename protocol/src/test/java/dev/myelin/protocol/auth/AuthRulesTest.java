package dev.myelin.protocol.auth;

import static dev.myelin.protocol.auth.RoomBuilder.obj;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Table-driven tests of the authorisation rules: each case builds a room, then one event, and states for which
 * room versions the event is allowed; in the others it must be rejected with a reason naming the rule.
 */
class AuthRulesTest {

    static final String ALICE = "@alice:example.org";
    static final String BOB = "@bob:example.org";
    static final String CAROL = "@carol:example.org";
    static final String EVE = "@eve:evil.org";

    /** Accepts a signed object when its signatures hold "valid:" + the public key (the real check is Ed25519). */
    static final ThirdPartyInviteVerifier FAKE_VERIFIER = (signed, key) -> {
        JsonNode sigs = signed.get("signatures");
        if (sigs == null) return false;
        for (JsonNode byServer : sigs.values()) {
            for (JsonNode sig : byServer.values()) {
                if (sig.isString() && sig.stringValue().equals("valid:" + key)) return true;
            }
        }
        return false;
    };
    static final AuthRules RULES = new AuthRules(FAKE_VERIFIER);

    /** One row: a name, the versions where the event is allowed, the expected reason fragment, the scenario. */
    record Case(String name, Predicate<RoomVersion> allowedIn, String reason, Scenario scenario) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    interface Scenario {
        /** Builds the room and returns the verdict on the event under test. */
        AuthResult run(RoomVersion v);
    }

    static final Predicate<RoomVersion> ALL = v -> true;
    static final Predicate<RoomVersion> NONE = v -> false;

    static int num(RoomVersion v) {
        return Integer.parseInt(v.id());
    }

    static Predicate<RoomVersion> from(int n) {
        return v -> num(v) >= n;
    }

    static Predicate<RoomVersion> before(int n) {
        return v -> num(v) < n;
    }

    static RoomBuilder standard(RoomVersion v) {
        RoomBuilder room = RoomBuilder.standard(v, ALICE);
        room.member(BOB, BOB, "join").send();
        return room;
    }

    static AuthResult check(RoomBuilder room, Pdu e) {
        return room.check(e, RULES);
    }

    static AuthResult sendAndCheck(RoomBuilder room, RoomBuilder.Event e) {
        return check(room, e.build());
    }

    static String usersWithAlice(RoomVersion v, String extra) {
        String alice = v.privilegedCreators() ? "" : "\"" + ALICE + "\":100";
        String sep = alice.isEmpty() || extra.isEmpty() ? "" : ",";
        return "{" + alice + sep + extra + "}";
    }

    static List<Case> cases() {
        var c = new ArrayList<Case>();
        // ---- m.room.create
        c.add(new Case("create with prev_events", NONE, "prev_events", v -> {
            RoomBuilder room = RoomBuilder.create(v, ALICE);
            return check(room, room.event(Pdu.CREATE, "", ALICE).content("{\"creator\":\"" + ALICE + "\"}").build());
        }));
        c.add(new Case("create without creator", from(11), "creator", v -> {
            RoomBuilder room = RoomBuilder.create(v, ALICE, obj("{}"));
            return check(room, room.createEvent());
        }));
        c.add(new Case("create with unknown room_version", NONE, "room_version", v -> {
            RoomBuilder room = RoomBuilder.create(v, ALICE, obj("{\"creator\":\"" + ALICE + "\",\"room_version\":\"99\"}"));
            return check(room, room.createEvent());
        }));
        c.add(new Case("create with room_id of another server", v -> num(v) >= 12, "room_id", v -> {
            RoomBuilder room = RoomBuilder.create(v, EVE);
            // before v12 the builder's room is on example.org; EVE is on evil.org
            return check(room, room.createEvent());
        }));
        c.add(new Case("create carrying a room_id", before(12), "room_id", v -> {
            RoomBuilder room = RoomBuilder.create(v, ALICE);
            Pdu c0 = room.createEvent();
            var json = c0.json().deepCopy();
            json.put("room_id", c0.roomId());
            return RULES.check(new Pdu(c0.eventId(), v, json, c0.roomId(), c0.sender(), c0.type(), c0.stateKey(),
                    c0.content(), c0.prevEventIds(), c0.authEventIds(), c0.depth(), c0.originServerTs(), null), (t, k) -> null);
        }));
        c.add(new Case("create with invalid additional_creators", before(12), "additional_creators", v -> {
            RoomBuilder room = RoomBuilder.create(v, ALICE,
                    obj("{\"creator\":\"" + ALICE + "\",\"additional_creators\":[\"not-a-user\"]}"));
            return check(room, room.createEvent());
        }));
        c.add(new Case("create with valid additional_creators", ALL, "", v -> {
            RoomBuilder room = RoomBuilder.create(v, ALICE,
                    obj("{\"creator\":\"" + ALICE + "\",\"additional_creators\":[\"" + BOB + "\"]}"));
            return check(room, room.createEvent());
        }));
        // ---- auth_events checks
        c.add(new Case("auth_events with a duplicate (type, state_key)", NONE, "duplicate", v -> {
            RoomBuilder room = standard(v);
            Pdu oldPl = room.stateEvent(Pdu.POWER_LEVELS, "");
            Pdu newPl = room.event(Pdu.POWER_LEVELS, "", ALICE).content(usersWithAlice(v, "").replace("{", "{\"ban\":40,").replace(",}", "}")).send();
            Pdu msg = room.message(BOB).build();
            var auth = new ArrayList<>(room.authEventsOf(msg));
            auth.add(auth.contains(newPl) ? oldPl : newPl);
            return RULES.checkAuthEvents(msg, auth, room.createEvent());
        }));
        c.add(new Case("auth_events with an entry the selection does not pick", NONE, "selection", v -> {
            RoomBuilder room = standard(v);
            Pdu msg = room.message(BOB).build();
            var auth = new ArrayList<>(room.authEventsOf(msg));
            auth.add(room.stateEvent(Pdu.JOIN_RULES, ""));
            return RULES.checkAuthEvents(msg, auth, room.createEvent());
        }));
        c.add(new Case("auth_events naming the create event", before(12), "selection", v -> {
            RoomBuilder room = standard(v);
            Pdu msg = room.message(BOB).build();
            var auth = new ArrayList<>(room.authEventsOf(msg));
            if (!auth.contains(room.createEvent())) auth.add(room.createEvent());
            return RULES.checkAuthEvents(msg, auth, room.createEvent());
        }));
        c.add(new Case("auth_events without the create event", from(12), "m.room.create", v -> {
            RoomBuilder room = standard(v);
            Pdu msg = room.message(BOB).build();
            var auth = new ArrayList<>(room.authEventsOf(msg));
            auth.remove(room.createEvent());
            return RULES.checkAuthEvents(msg, auth, room.createEvent());
        }));
        c.add(new Case("auth event from another room", NONE, "another room", v -> {
            RoomBuilder room = standard(v);
            RoomBuilder other = RoomBuilder.standard(v, ALICE);
            Pdu msg = room.message(ALICE).build();
            var auth = new ArrayList<>(room.authEventsOf(msg));
            auth.removeIf(p -> p.isState(Pdu.POWER_LEVELS, ""));
            auth.add(other.stateEvent(Pdu.POWER_LEVELS, ""));
            Pdu create = room.createEvent();
            return RULES.checkAuthEvents(msg, auth, create);
        }));
        c.add(new Case("v12 event whose room_id is not its create event's", before(12), "room_id", v -> {
            RoomBuilder room = standard(v);
            RoomBuilder other = RoomBuilder.create(v, ALICE);
            Pdu msg = room.message(ALICE).build();
            return RULES.checkAuthEvents(msg, room.authEventsOf(msg),
                    v.roomIdFromCreateEvent() ? other.createEvent() : room.createEvent());
        }));
        // ---- m.federate
        c.add(new Case("m.federate false: a user of another server joins", NONE, "m.federate", v -> {
            RoomBuilder room = RoomBuilder.create(v, ALICE, obj(v.creatorFromSender() ? "{\"m.federate\":false}"
                    : "{\"creator\":\"" + ALICE + "\",\"m.federate\":false}"));
            room.member(ALICE, ALICE, "join").send();
            room.event(Pdu.JOIN_RULES, "", ALICE).content("{\"join_rule\":\"public\"}").send();
            return sendAndCheck(room, room.member(EVE, EVE, "join"));
        }));
        // ---- m.room.aliases
        c.add(new Case("aliases for the sender's server by a non-member", before(6), "joined", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.event(Pdu.ALIASES, "evil.org", EVE).content("{\"aliases\":[]}"));
        }));
        c.add(new Case("aliases for another server", from(6), "server", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.event(Pdu.ALIASES, "other.org", ALICE).content("{\"aliases\":[]}"));
        }));
        // ---- join
        c.add(new Case("creator's first join", ALL, "", v -> {
            RoomBuilder room = RoomBuilder.create(v, ALICE);
            return sendAndCheck(room, room.member(ALICE, ALICE, "join"));
        }));
        c.add(new Case("someone else's join right after create", NONE, "join", v -> {
            RoomBuilder room = RoomBuilder.create(v, ALICE);
            return sendAndCheck(room, room.member(BOB, BOB, "join"));
        }));
        c.add(new Case("v11+: the create sender is the creator, not content.creator", from(11), "join", v -> {
            RoomBuilder room = RoomBuilder.create(v, ALICE, obj("{\"creator\":\"" + BOB + "\"}"));
            return sendAndCheck(room, room.member(ALICE, ALICE, "join"));
        }));
        c.add(new Case("join a public room", ALL, "", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(CAROL, CAROL, "join"));
        }));
        c.add(new Case("join someone else", NONE, "does not match", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(BOB, CAROL, "join"));
        }));
        c.add(new Case("join while banned", NONE, "banned", v -> {
            RoomBuilder room = standard(v);
            room.member(ALICE, CAROL, "ban").send();
            return sendAndCheck(room, room.member(CAROL, CAROL, "join"));
        }));
        c.add(new Case("join an invite-only room uninvited", NONE, "invite", v -> {
            RoomBuilder room = withJoinRule(standard(v), "invite");
            return sendAndCheck(room, room.member(CAROL, CAROL, "join"));
        }));
        c.add(new Case("join an invite-only room invited", ALL, "", v -> {
            RoomBuilder room = withJoinRule(standard(v), "invite");
            room.member(ALICE, CAROL, "invite").send();
            return sendAndCheck(room, room.member(CAROL, CAROL, "join"));
        }));
        c.add(new Case("join a knock room invited", from(7), "does not allow joining", v -> {
            RoomBuilder room = withJoinRule(standard(v), "knock");
            room.member(ALICE, CAROL, "invite").send();
            return sendAndCheck(room, room.member(CAROL, CAROL, "join"));
        }));
        c.add(new Case("join a private room", NONE, "does not allow joining", v -> {
            RoomBuilder room = withJoinRule(standard(v), "private");
            return sendAndCheck(room, room.member(CAROL, CAROL, "join"));
        }));
        c.add(new Case("restricted join authorised by a joined user who may invite", from(8), "does not allow joining", v -> {
            RoomBuilder room = withJoinRule(standard(v), "restricted");
            return sendAndCheck(room, room.member(CAROL, CAROL, "join")
                    .content("{\"membership\":\"join\",\"join_authorised_via_users_server\":\"" + BOB + "\"}"));
        }));
        c.add(new Case("knock_restricted join authorised by a joined user", from(10), "does not allow joining", v -> {
            RoomBuilder room = withJoinRule(standard(v), "knock_restricted");
            return sendAndCheck(room, room.member(CAROL, CAROL, "join")
                    .content("{\"membership\":\"join\",\"join_authorised_via_users_server\":\"" + BOB + "\"}"));
        }));
        c.add(new Case("restricted join authorised by a user who may not invite", NONE, "", v -> {
            RoomBuilder room = standard(v);
            room.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"invite\":50,\"users\":" + usersWithAlice(v, "") + "}").send();
            withJoinRule(room, "restricted");
            return sendAndCheck(room, room.member(CAROL, CAROL, "join")
                    .content("{\"membership\":\"join\",\"join_authorised_via_users_server\":\"" + BOB + "\"}"));
        }));
        c.add(new Case("restricted join authorised by a user who is not joined", NONE, "", v -> {
            RoomBuilder room = withJoinRule(standard(v), "restricted");
            return sendAndCheck(room, room.member(CAROL, CAROL, "join")
                    .content("{\"membership\":\"join\",\"join_authorised_via_users_server\":\"@dan:example.org\"}"));
        }));
        c.add(new Case("restricted join without the authorising server's signature", NONE, "", v -> {
            RoomBuilder room = withJoinRule(standard(v), "restricted");
            room.event(Pdu.JOIN_RULES, "", ALICE).content("{\"join_rule\":\"public\"}").send();
            room.member("@frank:other.org", "@frank:other.org", "join").send();
            withJoinRule(room, "restricted");
            return sendAndCheck(room, room.member("@gina:third.org", "@gina:third.org", "join")
                    .content("{\"membership\":\"join\",\"join_authorised_via_users_server\":\"@frank:other.org\"}"));
        }));
        c.add(new Case("restricted join with the authorising server's signature", from(8), "", v -> {
            RoomBuilder room = standard(v);
            room.member("@frank:other.org", "@frank:other.org", "join").send();
            withJoinRule(room, "restricted");
            return sendAndCheck(room, room.member("@gina:third.org", "@gina:third.org", "join")
                    .content("{\"membership\":\"join\",\"join_authorised_via_users_server\":\"@frank:other.org\"}")
                    .signedBy("other.org"));
        }));
        // ---- invite
        c.add(new Case("invite by a member", ALL, "", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(BOB, CAROL, "invite"));
        }));
        c.add(new Case("invite by a non-member", NONE, "not joined", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(EVE, CAROL, "invite"));
        }));
        c.add(new Case("invite of a joined user", NONE, "already joined", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(ALICE, BOB, "invite"));
        }));
        c.add(new Case("invite of a banned user", NONE, "banned", v -> {
            RoomBuilder room = standard(v);
            room.member(ALICE, CAROL, "ban").send();
            return sendAndCheck(room, room.member(ALICE, CAROL, "invite"));
        }));
        c.add(new Case("invite below the invite level", NONE, "invite level", v -> {
            RoomBuilder room = standard(v);
            room.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"invite\":50,\"users\":" + usersWithAlice(v, "") + "}").send();
            return sendAndCheck(room, room.member(BOB, CAROL, "invite"));
        }));
        // ---- third-party invites
        c.add(new Case("third-party invite with a valid signature", ALL, "", v -> thirdParty(v, CAROL, "tok", "valid:KEY1", BOB, false)));
        c.add(new Case("third-party invite matching public_keys", ALL, "", v -> thirdParty(v, CAROL, "tok", "valid:KEY2", BOB, false)));
        c.add(new Case("third-party invite with a bad signature", NONE, "signature", v -> thirdParty(v, CAROL, "tok", "forged", BOB, false)));
        c.add(new Case("third-party invite for another mxid", NONE, "mxid", v -> thirdParty(v, "@zed:example.org", "tok", "valid:KEY1", BOB, false)));
        c.add(new Case("third-party invite with an unknown token", NONE, "token", v -> thirdParty(v, CAROL, "other", "valid:KEY1", BOB, false)));
        c.add(new Case("third-party invite by someone else than the inviter", NONE, "did not send", v -> thirdParty(v, CAROL, "tok", "valid:KEY1", ALICE, false)));
        c.add(new Case("third-party invite of a banned user", NONE, "banned", v -> thirdParty(v, CAROL, "tok", "valid:KEY1", BOB, true)));
        c.add(new Case("third-party invite without signed", NONE, "signed", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(BOB, CAROL, "invite")
                    .content("{\"membership\":\"invite\",\"third_party_invite\":{\"display_name\":\"c\"}}"));
        }));
        c.add(new Case("m.room.third_party_invite below the invite level", NONE, "invite level", v -> {
            RoomBuilder room = standard(v);
            room.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"invite\":50,\"users\":" + usersWithAlice(v, "") + "}").send();
            return sendAndCheck(room, room.event(Pdu.THIRD_PARTY_INVITE, "t", BOB).content("{\"public_key\":\"K\"}"));
        }));
        // ---- leave
        c.add(new Case("leave by a joined user", ALL, "", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(BOB, BOB, "leave"));
        }));
        c.add(new Case("leave by a user who never joined", NONE, "leave", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(CAROL, CAROL, "leave"));
        }));
        c.add(new Case("rescinding a knock", from(7), "leave", v -> {
            RoomBuilder room = withJoinRule(standard(v), "knock");
            room.member(CAROL, CAROL, "knock").send();
            return sendAndCheck(room, room.member(CAROL, CAROL, "leave"));
        }));
        c.add(new Case("kick by an admin", ALL, "", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(ALICE, BOB, "leave"));
        }));
        c.add(new Case("kick by a user below the kick level", NONE, "kick level", v -> {
            RoomBuilder room = standard(v);
            room.member(CAROL, CAROL, "join").send();
            return sendAndCheck(room, room.member(BOB, CAROL, "leave"));
        }));
        c.add(new Case("kick of a user with the same level", NONE, "kick level", v -> {
            RoomBuilder room = standard(v);
            room.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"kick\":0,\"users\":" + usersWithAlice(v, "") + "}").send();
            room.member(CAROL, CAROL, "join").send();
            return sendAndCheck(room, room.member(BOB, CAROL, "leave"));
        }));
        c.add(new Case("kick by a non-member", NONE, "not joined", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(EVE, BOB, "leave"));
        }));
        c.add(new Case("unban below the ban level", NONE, "ban level", v -> {
            RoomBuilder room = standard(v);
            room.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"kick\":0,\"ban\":60,\"users\":"
                    + usersWithAlice(v, "\"" + BOB + "\":50") + "}").send();
            room.member(ALICE, CAROL, "ban").send();
            return sendAndCheck(room, room.member(BOB, CAROL, "leave"));
        }));
        // ---- ban
        c.add(new Case("ban by an admin", ALL, "", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(ALICE, BOB, "ban"));
        }));
        c.add(new Case("ban by a user below the ban level", NONE, "ban level", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(BOB, ALICE, "ban"));
        }));
        c.add(new Case("ban of a user with a higher level", NONE, "ban level", v -> {
            RoomBuilder room = standard(v);
            room.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"users\":" + usersWithAlice(v, "\"" + BOB + "\":50") + "}").send();
            return sendAndCheck(room, room.member(BOB, ALICE, "ban"));
        }));
        c.add(new Case("ban by a non-member", NONE, "not joined", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(EVE, BOB, "ban"));
        }));
        // ---- knock
        c.add(new Case("knock on a knock room", from(7), "knock", v -> {
            RoomBuilder room = withJoinRule(standard(v), "knock");
            return sendAndCheck(room, room.member(CAROL, CAROL, "knock"));
        }));
        c.add(new Case("knock on a knock_restricted room", from(10), "knock", v -> {
            RoomBuilder room = withJoinRule(standard(v), "knock_restricted");
            return sendAndCheck(room, room.member(CAROL, CAROL, "knock"));
        }));
        c.add(new Case("knock on a public room", NONE, "knock", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(CAROL, CAROL, "knock"));
        }));
        c.add(new Case("knock for someone else", NONE, "knock", v -> {
            RoomBuilder room = withJoinRule(standard(v), "knock");
            return sendAndCheck(room, room.member(CAROL, "@dan:example.org", "knock"));
        }));
        c.add(new Case("knock while joined", NONE, "knock", v -> {
            RoomBuilder room = withJoinRule(standard(v), "knock");
            return sendAndCheck(room, room.member(BOB, BOB, "knock"));
        }));
        c.add(new Case("unknown membership", NONE, "membership", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.member(BOB, BOB, "dance"));
        }));
        c.add(new Case("member event without membership", NONE, "membership", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.event(Pdu.MEMBER, BOB, BOB).content("{}"));
        }));
        // ---- other events
        c.add(new Case("message by a member", ALL, "", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.message(BOB));
        }));
        c.add(new Case("message by a non-member", NONE, "not joined", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.message(CAROL));
        }));
        c.add(new Case("state event below state_default", NONE, "required power level", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.event("m.room.topic", "", BOB).content("{\"topic\":\"t\"}"));
        }));
        c.add(new Case("message type raised in events", NONE, "required power level", v -> {
            RoomBuilder room = standard(v);
            room.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"events\":{\"m.room.message\":10},\"users\":" + usersWithAlice(v, "") + "}").send();
            return sendAndCheck(room, room.message(BOB));
        }));
        c.add(new Case("state_key of another user", NONE, "state_key", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.event("m.custom", BOB, ALICE).content("{}"));
        }));
        c.add(new Case("state_key of the sender", ALL, "", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.event("m.custom", ALICE, ALICE).content("{}"));
        }));
        // ---- redactions
        c.add(new Case("redaction of another server's event below the redact level", from(3), "redact", v -> {
            RoomBuilder room = standard(v);
            room.member(EVE, EVE, "join").send();
            Pdu target = room.message(ALICE).send();
            return sendAndCheck(room, room.event(Pdu.REDACTION, null, EVE).content("{\"redacts\":\"" + target.eventId() + "\"}"));
        }));
        c.add(new Case("redaction of an event of the same server", ALL, "", v -> {
            RoomBuilder room = standard(v);
            room.member(EVE, EVE, "join").send();
            Pdu target = room.message(EVE).send();
            return sendAndCheck(room, room.event(Pdu.REDACTION, null, EVE).content("{\"redacts\":\"" + target.eventId() + "\"}"));
        }));
        c.add(new Case("redaction by a moderator", ALL, "", v -> {
            RoomBuilder room = standard(v);
            Pdu target = room.message(BOB).send();
            return sendAndCheck(room, room.event(Pdu.REDACTION, null, ALICE).content("{\"redacts\":\"" + target.eventId() + "\"}"));
        }));
        // ---- power levels
        c.add(new Case("power levels with string values", before(10), "integer", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", ALICE)
                    .content("{\"ban\":\" +50 \",\"events\":{\"m.room.name\":\"050\"},\"users\":" + usersWithAlice(v, "\"" + BOB + "\":\"10\"") + "}"));
        }));
        c.add(new Case("power levels with a float", before(6), "integer", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", ALICE)
                    .content("{\"users\":" + usersWithAlice(v, "\"" + BOB + "\":50.57") + "}"));
        }));
        c.add(new Case("power levels with a non-numeric string", NONE, "integer", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", ALICE)
                    .content("{\"kick\":\"lots\",\"users\":" + usersWithAlice(v, "") + "}"));
        }));
        c.add(new Case("power levels with a non-numeric notifications level", before(6), "notifications", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", ALICE)
                    .content("{\"notifications\":{\"room\":\"many\"},\"users\":" + usersWithAlice(v, "") + "}"));
        }));
        c.add(new Case("power levels with an invalid user ID", NONE, "user ID", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", ALICE)
                    .content("{\"users\":" + usersWithAlice(v, "\"bob\":10") + "}"));
        }));
        c.add(new Case("power levels: raising oneself above one's level", NONE, "above the sender", v -> {
            RoomBuilder room = withModerator(standard(v));
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", BOB)
                    .content("{\"events\":{\"m.room.power_levels\":50},\"users\":" + usersWithAlice(v, "\"" + BOB + "\":60") + "}"));
        }));
        c.add(new Case("power levels: demoting a user of the same level", NONE, "not below", v -> {
            RoomBuilder room = withModerator(standard(v));
            room.member(CAROL, CAROL, "join").send();
            room.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"events\":{\"m.room.power_levels\":50},\"users\":"
                    + usersWithAlice(v, "\"" + BOB + "\":50,\"" + CAROL + "\":50") + "}").send();
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", BOB)
                    .content("{\"events\":{\"m.room.power_levels\":50},\"users\":" + usersWithAlice(v, "\"" + BOB + "\":50") + "}"));
        }));
        c.add(new Case("power levels: demoting oneself", ALL, "", v -> {
            RoomBuilder room = withModerator(standard(v));
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", BOB)
                    .content("{\"events\":{\"m.room.power_levels\":50},\"users\":" + usersWithAlice(v, "\"" + BOB + "\":10") + "}"));
        }));
        c.add(new Case("power levels: raising ban above one's level", NONE, "ban", v -> {
            RoomBuilder room = withModerator(standard(v));
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", BOB)
                    .content("{\"ban\":70,\"events\":{\"m.room.power_levels\":50},\"users\":" + usersWithAlice(v, "\"" + BOB + "\":50") + "}"));
        }));
        c.add(new Case("power levels: changing an events entry above one's level", NONE, "events", v -> {
            RoomBuilder room = withModerator(standard(v));
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", BOB)
                    .content("{\"events\":{\"m.room.power_levels\":50,\"m.room.name\":70},\"users\":" + usersWithAlice(v, "\"" + BOB + "\":50") + "}"));
        }));
        c.add(new Case("power levels: raising notifications above one's level", before(6), "notifications", v -> {
            RoomBuilder room = withModerator(standard(v));
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", BOB)
                    .content("{\"notifications\":{\"room\":70},\"events\":{\"m.room.power_levels\":50},\"users\":" + usersWithAlice(v, "\"" + BOB + "\":50") + "}"));
        }));
        c.add(new Case("power levels naming a creator in users", before(12), "creator", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", ALICE)
                    .content("{\"users\":{\"" + ALICE + "\":100,\"" + BOB + "\":50}}"));
        }));
        c.add(new Case("creator grants a level above 100", from(12), "above the sender", v -> {
            RoomBuilder room = standard(v);
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", ALICE)
                    .content("{\"users\":" + usersWithAlice(v, "\"" + BOB + "\":1000000") + "}"));
        }));
        c.add(new Case("additional creator kicks the creator", NONE, "kick level", v -> {
            RoomBuilder room = RoomBuilder.create(v, ALICE, obj(
                    "{\"creator\":\"" + ALICE + "\",\"additional_creators\":[\"" + BOB + "\"]}"));
            room.member(ALICE, ALICE, "join").send();
            room.event(Pdu.JOIN_RULES, "", ALICE).content("{\"join_rule\":\"public\"}").send();
            room.member(BOB, BOB, "join").send();
            return sendAndCheck(room, room.member(BOB, ALICE, "leave"));
        }));
        c.add(new Case("additional creator may send state without power levels", from(12), "required power level", v -> {
            RoomBuilder room = RoomBuilder.create(v, ALICE, obj(
                    "{\"creator\":\"" + ALICE + "\",\"additional_creators\":[\"" + BOB + "\"]}"));
            room.member(ALICE, ALICE, "join").send();
            room.event(Pdu.JOIN_RULES, "", ALICE).content("{\"join_rule\":\"public\"}").send();
            room.member(BOB, BOB, "join").send();
            return sendAndCheck(room, room.event("m.room.topic", "", BOB).content("{\"topic\":\"x\"}"));
        }));
        c.add(new Case("first power levels by the creator without power levels", ALL, "", v -> {
            RoomBuilder room = RoomBuilder.create(v, ALICE);
            room.member(ALICE, ALICE, "join").send();
            return sendAndCheck(room, room.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"users\":" + usersWithAlice(v, "") + "}"));
        }));
        return c;
    }

    static RoomBuilder withJoinRule(RoomBuilder room, String rule) {
        room.event(Pdu.JOIN_RULES, "", ALICE).content("{\"join_rule\":\"" + rule + "\"}").send();
        return room;
    }

    /** Bob at 50 and the power levels event at 50. */
    static RoomBuilder withModerator(RoomBuilder room) {
        room.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"events\":{\"m.room.power_levels\":50},\"users\":"
                + usersWithAlice(room.version(), "\"" + BOB + "\":50") + "}").send();
        return room;
    }

    static AuthResult thirdParty(RoomVersion v, String mxid, String token, String signature, String inviter, boolean banned) {
        RoomBuilder room = standard(v);
        if (banned) room.member(ALICE, CAROL, "ban").send();
        room.event(Pdu.THIRD_PARTY_INVITE, "tok", BOB)
                .content("{\"display_name\":\"c...\",\"key_validity_url\":\"https://id/\",\"public_key\":\"KEY1\","
                        + "\"public_keys\":[{\"public_key\":\"KEY2\"}]}").send();
        return sendAndCheck(room, room.member(inviter, CAROL, "invite").content(
                "{\"membership\":\"invite\",\"third_party_invite\":{\"display_name\":\"c...\",\"signed\":{\"mxid\":\""
                        + mxid + "\",\"token\":\"" + token + "\",\"signatures\":{\"id.org\":{\"ed25519:0\":\"" + signature + "\"}}}}}"));
    }

    static Stream<Arguments> table() {
        return cases().stream().flatMap(c -> RoomVersions.all().stream().map(v -> Arguments.of(c, v)));
    }

    @ParameterizedTest(name = "{0} in v{1}")
    @MethodSource("table")
    void appliesTheRule(Case c, RoomVersion v) {
        AuthResult result = c.scenario().run(v);
        if (c.allowedIn().test(v)) {
            assertThat(result).as(c.name() + " in v" + v.id()).isEqualTo(AuthResult.allowed());
        } else {
            assertThat(result).as(c.name() + " in v" + v.id()).isInstanceOf(AuthResult.Rejected.class);
            assertThat(((AuthResult.Rejected) result).reason()).containsIgnoringCase(c.reason());
        }
    }
}
