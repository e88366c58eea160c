package dev.myelin.roomserver.internal;

import static dev.myelin.roomserver.internal.Rooms.ALICE;
import static dev.myelin.roomserver.internal.Rooms.BOB;
import static dev.myelin.roomserver.internal.Rooms.CAROL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.roomserver.api.Sender;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert;

/**
 * The membership state machine, every transition from every membership, allowed and refused: alice creates the
 * room, MOD has power 50, bob is the subject.
 */
@DatabaseComponent("roomserver")
class MembershipTest {
    private static final Sender MOD = new Sender("@mod:test.local", "MDEV");
    private static final Optional<String> NO_REASON = Optional.empty();

    private static String room(Rooms r, String joinRule, String version) {
        String room = r.createRoom(ALICE, Map.of("room_version", version, "preset", "public_chat",
                "power_level_content_override", Map.of("users", version.equals("12") ? Map.of(MOD.userId(), 50)
                        : Map.of(ALICE.userId(), 100, MOD.userId(), 50), "invite", 0)));
        r.rs.join(MOD, room, NO_REASON);
        if (!joinRule.equals("public")) {
            r.rs.send(ALICE, room, "m.room.join_rules", "", Rooms.obj(Map.of("join_rule", joinRule)), Optional.empty());
        }
        return room;
    }

    private static String membership(Rooms r, String room, String user) {
        try {
            return r.rs.stateContent(ALICE.userId(), room, "m.room.member", user).path("membership").asString();
        } catch (MatrixException e) {
            return "none";
        }
    }

    private static void refused(ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(MatrixException.class,
                e -> assertThat(e.errcode()).isIn("M_FORBIDDEN", "M_UNKNOWN"));
    }

    @DatabaseTest
    void fromNoMembership(Database db) {
        try (Rooms r = new Rooms(db)) {
            for (String v : List.of("10", "12")) {
                String invite = room(r, "invite", v);
                refused(() -> r.rs.join(BOB, invite, NO_REASON));
                refused(() -> r.rs.knock(BOB, invite, NO_REASON));
                refused(() -> r.rs.leave(BOB, invite, NO_REASON));
                refused(() -> r.rs.setMembership(MOD, invite, BOB.userId(), "kick", NO_REASON));
                refused(() -> r.rs.setMembership(MOD, invite, BOB.userId(), "unban", NO_REASON));
                refused(() -> r.rs.setMembership(BOB, invite, CAROL.userId(), "invite", NO_REASON));
                assertThat(membership(r, invite, BOB.userId())).isEqualTo("none");
                r.rs.setMembership(MOD, invite, BOB.userId(), "ban", Optional.of("pre-emptive"));
                assertThat(membership(r, invite, BOB.userId())).isEqualTo("ban");
                assertThat(r.rs.stateContent(ALICE.userId(), invite, "m.room.member", BOB.userId()).path("reason").asString())
                        .isEqualTo("pre-emptive");

                String open = room(r, "public", v);
                r.rs.join(BOB, open, Optional.of("hi"));
                assertThat(membership(r, open, BOB.userId())).isEqualTo("join");
                String knock = room(r, "knock", v);
                r.rs.knock(BOB, knock, Optional.of("let me in"));
                assertThat(membership(r, knock, BOB.userId())).isEqualTo("knock");
                refused(() -> r.rs.join(CAROL, knock, NO_REASON));
            }
        }
    }

    @DatabaseTest
    void fromInvite(Database db) {
        try (Rooms r = new Rooms(db)) {
            String room = room(r, "invite", "12");
            r.rs.setMembership(MOD, room, BOB.userId(), "invite", NO_REASON);
            assertThat(membership(r, room, BOB.userId())).isEqualTo("invite");
            refused(() -> r.rs.knock(BOB, room, NO_REASON));
            refused(() -> r.rs.forget(BOB, room));
            // invite → leave (rejected), → invite again, → leave (revoked by kick), → ban, → join
            r.rs.leave(BOB, room, Optional.of("no thanks"));
            assertThat(membership(r, room, BOB.userId())).isEqualTo("leave");
            r.rs.setMembership(MOD, room, BOB.userId(), "invite", NO_REASON);
            r.rs.setMembership(MOD, room, BOB.userId(), "invite", NO_REASON);
            r.rs.setMembership(MOD, room, BOB.userId(), "kick", NO_REASON);
            assertThat(membership(r, room, BOB.userId())).isEqualTo("leave");
            r.rs.setMembership(MOD, room, BOB.userId(), "invite", NO_REASON);
            r.rs.join(BOB, room, NO_REASON);
            assertThat(membership(r, room, BOB.userId())).isEqualTo("join");
            r.rs.setMembership(MOD, room, CAROL.userId(), "invite", NO_REASON);
            r.rs.setMembership(MOD, room, CAROL.userId(), "ban", NO_REASON);
            assertThat(membership(r, room, CAROL.userId())).isEqualTo("ban");
        }
    }

    @DatabaseTest
    void fromJoin(Database db) {
        try (Rooms r = new Rooms(db)) {
            String room = room(r, "public", "12");
            r.rs.join(BOB, room, NO_REASON);
            String first = r.rs.stateEvent(ALICE.userId(), room, "m.room.member", BOB.userId()).path("event_id").asString();
            r.rs.join(BOB, room, NO_REASON); // joining again with the same profile sends nothing
            assertThat(r.rs.stateEvent(ALICE.userId(), room, "m.room.member", BOB.userId()).path("event_id").asString()).isEqualTo(first);
            r.rs.join(BOB, room, Optional.of("again")); // join → join with a change is allowed
            assertThat(r.rs.stateEvent(ALICE.userId(), room, "m.room.member", BOB.userId()).path("event_id").asString()).isNotEqualTo(first);
            refused(() -> r.rs.setMembership(MOD, room, BOB.userId(), "invite", NO_REASON));
            refused(() -> r.rs.knock(BOB, room, NO_REASON));
            refused(() -> r.rs.setMembership(BOB, room, MOD.userId(), "kick", NO_REASON));
            refused(() -> r.rs.setMembership(BOB, room, MOD.userId(), "ban", NO_REASON));
            refused(() -> r.rs.forget(BOB, room));
            r.rs.setMembership(MOD, room, BOB.userId(), "kick", Optional.of("spam"));
            assertThat(membership(r, room, BOB.userId())).isEqualTo("leave");
            assertThat(r.rs.stateContent(ALICE.userId(), room, "m.room.member", BOB.userId()).path("reason").asString()).isEqualTo("spam");
            r.rs.join(BOB, room, NO_REASON);
            r.rs.leave(BOB, room, NO_REASON);
            assertThat(r.rs.joinedRooms(BOB.userId())).doesNotContain(room);
            // left: the state up to the leave stays readable; forgotten: it is no longer bob's to read
            assertThat(r.rs.state(BOB.userId(), room)).isNotEmpty();
            assertThat(r.rs.events().forgottenRooms(BOB.userId())).isEmpty();
            r.rs.forget(BOB, room);
            assertThat(r.rs.events().forgottenRooms(BOB.userId())).containsExactly(room);
            refused(() -> r.rs.state(BOB.userId(), room));
            r.rs.join(BOB, room, NO_REASON);
            assertThat(r.rs.events().forgottenRooms(BOB.userId())).isEmpty();
            assertThat(r.rs.state(BOB.userId(), room)).isNotEmpty();
            r.rs.setMembership(MOD, room, BOB.userId(), "ban", NO_REASON);
            assertThat(membership(r, room, BOB.userId())).isEqualTo("ban");
            // a moderator may not kick or ban the creator, nor an equal
            refused(() -> r.rs.setMembership(MOD, room, ALICE.userId(), "kick", NO_REASON));
        }
    }

    @DatabaseTest
    void fromBanAndKnock(Database db) {
        try (Rooms r = new Rooms(db)) {
            String room = room(r, "knock", "12");
            r.rs.setMembership(MOD, room, BOB.userId(), "ban", NO_REASON);
            refused(() -> r.rs.join(BOB, room, NO_REASON));
            refused(() -> r.rs.knock(BOB, room, NO_REASON));
            refused(() -> r.rs.leave(BOB, room, NO_REASON));
            refused(() -> r.rs.setMembership(MOD, room, BOB.userId(), "invite", NO_REASON));
            refused(() -> r.rs.setMembership(MOD, room, BOB.userId(), "kick", NO_REASON));
            refused(() -> r.rs.setMembership(CAROL, room, BOB.userId(), "unban", NO_REASON));
            r.rs.setMembership(MOD, room, BOB.userId(), "unban", NO_REASON);
            assertThat(membership(r, room, BOB.userId())).isEqualTo("leave");
            refused(() -> r.rs.setMembership(MOD, room, BOB.userId(), "unban", NO_REASON));

            r.rs.knock(BOB, room, NO_REASON);
            refused(() -> r.rs.join(BOB, room, NO_REASON));
            r.rs.leave(BOB, room, NO_REASON); // withdraw the knock
            r.rs.knock(BOB, room, NO_REASON);
            r.rs.setMembership(MOD, room, BOB.userId(), "invite", NO_REASON); // accept the knock
            r.rs.join(BOB, room, NO_REASON);
            assertThat(membership(r, room, BOB.userId())).isEqualTo("join");
            r.rs.knock(CAROL, room, NO_REASON);
            r.rs.setMembership(MOD, room, CAROL.userId(), "kick", NO_REASON); // deny the knock
            assertThat(membership(r, room, CAROL.userId())).isEqualTo("leave");
        }
    }

    @DatabaseTest
    void restrictedJoinNeedsMembershipOfAnAllowedRoom(Database db) {
        try (Rooms r = new Rooms(db)) {
            String space = r.createRoom(ALICE, Map.of("preset", "public_chat"));
            String restricted = r.createRoom(ALICE, Map.of("preset", "private_chat"));
            r.rs.send(ALICE, restricted, "m.room.join_rules", "", Rooms.obj(Map.of("join_rule", "restricted",
                    "allow", List.of(Map.of("type", "m.room_membership", "room_id", space)))), Optional.empty());
            refused(() -> r.rs.join(BOB, restricted, NO_REASON));
            r.rs.join(BOB, space, NO_REASON);
            r.rs.join(BOB, restricted, NO_REASON);
            assertThat(r.rs.stateContent(ALICE.userId(), restricted, "m.room.member", BOB.userId())
                    .path("join_authorised_via_users_server").asString()).isEqualTo(ALICE.userId());
            // restricted joins do not exist before room version 8
            String v7 = r.createRoom(ALICE, Map.of("room_version", "7", "preset", "private_chat"));
            refused(() -> r.rs.send(ALICE, v7, "m.room.join_rules", "", Rooms.obj(Map.of("join_rule", "restricted")), Optional.empty())
                    .transform(x -> { r.rs.join(CAROL, v7, NO_REASON); return x; }));
        }
    }
}
