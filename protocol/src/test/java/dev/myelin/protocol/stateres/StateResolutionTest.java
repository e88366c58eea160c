package dev.myelin.protocol.stateres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.auth.AuthRules;
import dev.myelin.protocol.auth.RoomBuilder;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** State resolution on hand-built DAGs of the classic races, and where v1, v2 and v2.1 differ. */
class StateResolutionTest {

    static final String ALICE = "@alice:example.org";
    static final String BOB = "@bob:example.org";
    static final String CAROL = "@carol:example.org";

    static Map<StateKey, String> resolve(RoomBuilder room, List<Map<StateKey, String>> sets) {
        return StateResolution.resolve(room.version(), sets, room.events()::get, AuthRules.standard());
    }

    static String users(RoomVersion v, String extra) {
        String alice = v.privilegedCreators() ? "" : "\"" + ALICE + "\":100";
        return "{" + alice + (alice.isEmpty() || extra.isEmpty() ? "" : ",") + extra + "}";
    }

    static StateKey key(String type, String stateKey) {
        return StateKey.of(type, stateKey);
    }

    /** Alice (creator) and Bob joined; Bob at {@code bobLevel}; Carol joined. */
    static RoomBuilder room(RoomVersion v, int bobLevel) {
        RoomBuilder room = RoomBuilder.standard(v, ALICE);
        room.member(BOB, BOB, "join").send();
        room.member(CAROL, CAROL, "join").send();
        room.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"users\":" + users(v, "\"" + BOB + "\":" + bobLevel) + "}").send();
        return room;
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"2", "6", "10", "11", "12"})
    void banByAModeratorLosesToHisConcurrentDemotion(String id) {
        RoomVersion v = RoomVersions.get(id);
        RoomBuilder room = room(v, 50);
        RoomBuilder a = room.fork();
        RoomBuilder b = room.fork();
        Pdu demote = a.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"users\":" + users(v, "\"" + BOB + "\":0") + "}").send();
        b.member(BOB, CAROL, "ban").send();

        Map<StateKey, String> resolved = resolve(room, List.of(a.state(), b.state()));

        assertThat(resolved.get(key(Pdu.POWER_LEVELS, ""))).isEqualTo(demote.eventId());
        assertThat(room.events().get(resolved.get(key(Pdu.MEMBER, CAROL))).content().get("membership").stringValue())
                .isEqualTo("join");
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"2", "6", "10", "11", "12"})
    void joinConcurrentWithASwitchToInviteOnlyIsRejected(String id) {
        RoomVersion v = RoomVersions.get(id);
        RoomBuilder room = room(v, 0);
        RoomBuilder a = room.fork();
        RoomBuilder b = room.fork();
        Pdu inviteOnly = a.event(Pdu.JOIN_RULES, "", ALICE).content("{\"join_rule\":\"invite\"}").send();
        b.member("@dan:example.org", "@dan:example.org", "join").send();

        Map<StateKey, String> resolved = resolve(room, List.of(a.state(), b.state()));

        assertThat(resolved.get(key(Pdu.JOIN_RULES, ""))).isEqualTo(inviteOnly.eventId());
        assertThat(resolved).doesNotContainKey(key(Pdu.MEMBER, "@dan:example.org"));
    }

    @Test
    void inV1AJoinSeenByOnlyOneSideIsNotAConflictAndSurvives() {
        RoomVersion v = RoomVersions.V1;
        RoomBuilder room = room(v, 0);
        RoomBuilder a = room.fork();
        RoomBuilder b = room.fork();
        a.event(Pdu.JOIN_RULES, "", ALICE).content("{\"join_rule\":\"invite\"}").send();
        Pdu join = b.member("@dan:example.org", "@dan:example.org", "join").send();

        Map<StateKey, String> resolved = resolve(room, List.of(a.state(), b.state()));

        assertThat(resolved.get(key(Pdu.MEMBER, "@dan:example.org"))).isEqualTo(join.eventId());
    }

    @Test
    void v1PicksTheDeeperTopicWhereV2PicksTheLaterOne() {
        for (RoomVersion v : List.of(RoomVersions.V1, RoomVersions.V2)) {
            RoomBuilder room = room(v, 50);
            RoomBuilder a = room.fork();
            RoomBuilder b = room.fork();
            for (int i = 0; i < 3; i++) a.message(ALICE).send();
            Pdu deeper = a.event("m.room.topic", "", ALICE).content("{\"topic\":\"a\"}").ts(5000).send();
            Pdu later = b.event("m.room.topic", "", BOB).content("{\"topic\":\"b\"}").ts(9000).send();
            assertThat(deeper.depth()).isGreaterThan(later.depth());

            Map<StateKey, String> resolved = resolve(room, List.of(a.state(), b.state()));

            assertThat(resolved.get(key("m.room.topic", ""))).as("v" + v.id())
                    .isEqualTo(v.id().equals("1") ? deeper.eventId() : later.eventId());
        }
    }

    @Test
    void v1KeepsADemotionOverTheDemotedModeratorsConcurrentChange() {
        RoomVersion v = RoomVersions.V1;
        RoomBuilder room = room(v, 50);
        RoomBuilder a = room.fork();
        RoomBuilder b = room.fork();
        // a: Alice (100) demotes Bob; b (deeper): Bob (50) raises the topic level to 50 — allowed on its own branch
        Pdu demote = a.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"users\":{\"" + ALICE + "\":100}}").send();
        b.message(BOB).send();
        Pdu byBob = b.event(Pdu.POWER_LEVELS, "", BOB).content("{\"events\":{\"m.room.topic\":50},\"users\":{\""
                + ALICE + "\":100,\"" + BOB + "\":50}}").send();
        assertThat(byBob.depth()).isGreaterThan(demote.depth());

        Map<StateKey, String> resolved = resolve(room, List.of(a.state(), b.state()));

        // the shallower demotion goes in first; Bob's change then fails auth (he is at 0), so the demotion stays
        assertThat(resolved.get(key(Pdu.POWER_LEVELS, ""))).isEqualTo(demote.eventId());
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"2", "11", "12"})
    void competingTopicsWithTheSamePowerLevelsGoToTheLaterTimestamp(String id) {
        RoomVersion v = RoomVersions.get(id);
        RoomBuilder room = room(v, 50);
        RoomBuilder a = room.fork();
        RoomBuilder b = room.fork();
        a.event("m.room.topic", "", ALICE).content("{\"topic\":\"a\"}").ts(5000).send();
        Pdu later = b.event("m.room.topic", "", BOB).content("{\"topic\":\"b\"}").ts(6000).send();

        Map<StateKey, String> resolved = resolve(room, List.of(a.state(), b.state()));

        assertThat(resolved.get(key("m.room.topic", ""))).isEqualTo(later.eventId());
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"2", "11", "12"})
    void aTopicBasedOnNewerPowerLevelsWinsOverALaterTopic(String id) {
        RoomVersion v = RoomVersions.get(id);
        RoomBuilder room = room(v, 50);
        RoomBuilder a = room.fork();
        RoomBuilder b = room.fork();
        a.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"users\":" + users(v, "\"" + BOB + "\":50,\"" + CAROL + "\":10") + "}").send();
        Pdu mainline = a.event("m.room.topic", "", ALICE).content("{\"topic\":\"a\"}").ts(5000).send();
        b.event("m.room.topic", "", BOB).content("{\"topic\":\"b\"}").ts(9000).send();

        Map<StateKey, String> resolved = resolve(room, List.of(a.state(), b.state()));

        assertThat(resolved.get(key("m.room.topic", ""))).isEqualTo(mainline.eventId());
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"2", "6", "11"})
    void inAPowerLevelWarTheHigherAdminGoesFirstWhateverTheTimestamps(String id) {
        RoomVersion v = RoomVersions.get(id);
        for (boolean aliceFirst : new boolean[] {true, false}) {
            RoomBuilder room = room(v, 99);
            RoomBuilder a = room.fork();
            RoomBuilder b = room.fork();
            Pdu byAlice = a.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"users\":{\"" + ALICE + "\":100}}")
                    .ts(aliceFirst ? 5000 : 6000).send();
            b.event(Pdu.POWER_LEVELS, "", BOB).content("{\"users\":{\"" + ALICE + "\":100,\"" + BOB + "\":99,\"" + CAROL + "\":99}}")
                    .ts(aliceFirst ? 6000 : 5000).send();

            Map<StateKey, String> resolved = resolve(room, List.of(a.state(), b.state()));

            assertThat(resolved.get(key(Pdu.POWER_LEVELS, ""))).isEqualTo(byAlice.eventId());
        }
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"2", "6", "11", "12"})
    void betweenEqualAdminsTheEarlierChangeIsAppliedFirstAndTheLaterOneWins(String id) {
        RoomVersion v = RoomVersions.get(id);
        for (boolean aliceFirst : new boolean[] {true, false}) {
            RoomBuilder room = room(v, 100);
            // why: Bob's topic keeps his join in every state's auth chain, so only the two changes are conflicted
            room.event("m.room.topic", "", BOB).content("{\"topic\":\"t\"}").send();
            RoomBuilder a = room.fork();
            RoomBuilder b = room.fork();
            String bobAt100 = users(v, "\"" + BOB + "\":100");
            Pdu byAlice = a.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"ban\":60,\"users\":" + bobAt100 + "}")
                    .ts(aliceFirst ? 5000 : 6000).send();
            Pdu byBob = b.event(Pdu.POWER_LEVELS, "", BOB).content("{\"kick\":60,\"users\":" + bobAt100 + "}")
                    .ts(aliceFirst ? 6000 : 5000).send();

            Map<StateKey, String> resolved = resolve(room, List.of(a.state(), b.state()));

            // v12: Alice is a creator, with unlimited power, so her change sorts first and Bob's is applied last
            String expected = v.privilegedCreators() || aliceFirst ? byBob.eventId() : byAlice.eventId();
            assertThat(resolved.get(key(Pdu.POWER_LEVELS, ""))).as("v" + id + " aliceFirst=" + aliceFirst).isEqualTo(expected);
        }
    }

    /**
     * Bob's join is only in the auth chain of his own change (the auth difference), so it is in the full conflicted
     * set and Bob's change must sort after it; Bob's join sorts after Alice's change (Bob had power 0 at his join).
     */
    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"2", "11"})
    void anEventSortsAfterItsAuthEventsInTheFullConflictedSet(String id) {
        RoomVersion v = RoomVersions.get(id);
        RoomBuilder room = room(v, 100);
        RoomBuilder a = room.fork();
        RoomBuilder b = room.fork();
        String bobAt100 = users(v, "\"" + BOB + "\":100");
        a.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"ban\":60,\"users\":" + bobAt100 + "}").ts(6000).send();
        Pdu byBob = b.event(Pdu.POWER_LEVELS, "", BOB).content("{\"kick\":60,\"users\":" + bobAt100 + "}").ts(5000).send();

        Map<StateKey, String> resolved = resolve(room, List.of(a.state(), b.state()));

        assertThat(resolved.get(key(Pdu.POWER_LEVELS, ""))).isEqualTo(byBob.eventId());
    }

    @Test
    void inV12TheCreatorWinsAPowerLevelWarWhateverTheTimestamps() {
        RoomVersion v = RoomVersions.V12;
        RoomBuilder room = room(v, 100);
        RoomBuilder a = room.fork();
        RoomBuilder b = room.fork();
        Pdu byAlice = a.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"users\":{}}").ts(9000).send();
        b.event(Pdu.POWER_LEVELS, "", BOB).content("{\"users\":{\"" + BOB + "\":100}}").ts(1000).send();
        b.member(BOB, ALICE, "ban").send(); // rejected by auth in any case: the creator has unlimited power

        Map<StateKey, String> resolved = resolve(room, List.of(a.state(), b.state()));

        assertThat(resolved.get(key(Pdu.POWER_LEVELS, ""))).isEqualTo(byAlice.eventId());
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"1", "2", "11", "12"})
    void unconflictedStateIsKeptAndIdenticalSetsResolveToThemselves(String id) {
        RoomVersion v = RoomVersions.get(id);
        RoomBuilder room = room(v, 50);
        RoomBuilder a = room.fork();
        RoomBuilder b = room.fork();
        a.event("m.room.name", "", ALICE).content("{\"name\":\"x\"}").send();
        b.event("m.room.name", "", BOB).content("{\"name\":\"y\"}").send();

        Map<StateKey, String> resolved = resolve(room, List.of(a.state(), b.state()));

        for (Map.Entry<StateKey, String> e : room.state().entrySet()) {
            assertThat(resolved).containsEntry(e.getKey(), e.getValue());
        }
        assertThat(resolve(room, List.of(room.state(), room.state()))).isEqualTo(room.state());
        assertThat(resolve(room, List.of(room.state()))).isEqualTo(room.state());
        assertThat(resolve(room, List.of())).isEmpty();
    }

    /**
     * A join rules change by Bob whose own auth events say he is joined, while both states agree he has since left.
     * v2 checks it against the unconflicted state (Bob left: rejected); v2.1 starts from an empty state and uses
     * the event's auth events (Bob joined: allowed).
     */
    @Test
    void v21StartsTheIterativeAuthChecksFromAnEmptyState() {
        for (RoomVersion v : List.of(RoomVersions.V11, RoomVersions.V12)) {
            RoomBuilder room = room(v, 100);
            RoomBuilder a = room.fork();
            RoomBuilder b = room.fork();
            Pdu jr1 = b.event(Pdu.JOIN_RULES, "", ALICE).content("{\"join_rule\":\"public\"}").ts(1000).send();
            Pdu jr2 = a.event(Pdu.JOIN_RULES, "", BOB).content("{\"join_rule\":\"invite\"}").ts(2000).send();
            Pdu leave = b.member(BOB, BOB, "leave").send();
            var sa = new HashMap<>(a.state());
            sa.put(key(Pdu.MEMBER, BOB), leave.eventId());
            var sb = new HashMap<>(b.state());

            Map<StateKey, String> resolved = resolve(room, List.of(sa, sb));

            assertThat(resolved.get(key(Pdu.MEMBER, BOB))).isEqualTo(leave.eventId());
            assertThat(resolved.get(key(Pdu.JOIN_RULES, "")))
                    .as("v" + v.id()).isEqualTo(v.id().equals("12") ? jr2.eventId() : jr1.eventId());
        }
    }

    @Test
    void v21PutsTheEventsBetweenTwoConflictedEventsInTheFullConflictedSet() {
        String dan = "@dan:example.org";
        RoomBuilder room = room(RoomVersions.V12, 50);
        Pdu pl1 = room.stateEvent(Pdu.POWER_LEVELS, "");
        Pdu danJoin = room.member(dan, dan, "join").send();
        room.event("m.custom", dan, dan).content("{}").send(); // keeps Dan's join in every state's auth chain
        RoomBuilder a = room.fork();
        RoomBuilder b = room.fork();
        Pdu invite = a.member(dan, "@erin:example.org", "invite").send(); // auth: pl1, Dan's join (auth: pl1)
        Pdu pl2 = b.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"users\":{\"" + BOB + "\":40}}").send();
        var sets = List.<Map<StateKey, String>>of(a.state(), b.state());

        var v21 = new StateResolverV2(RoomVersions.V12, room.events()::get, AuthRules.standard()).fullConflictedSetOf(sets);
        assertThat(v21).containsExactlyInAnyOrder(pl1.eventId(), pl2.eventId(), invite.eventId(), danJoin.eventId());

        // the same shape in v11: Dan's join is in every auth chain, so not in the auth difference
        RoomBuilder room11 = room(RoomVersions.V11, 50);
        Pdu pl1v11 = room11.stateEvent(Pdu.POWER_LEVELS, "");
        room11.member(dan, dan, "join").send();
        room11.event("m.custom", dan, dan).content("{}").send();
        RoomBuilder a11 = room11.fork();
        RoomBuilder b11 = room11.fork();
        Pdu invite11 = a11.member(dan, "@erin:example.org", "invite").send();
        Pdu pl2v11 = b11.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"users\":{\"" + ALICE + "\":100}}").send();
        var v2 = new StateResolverV2(RoomVersions.V11, room11.events()::get, AuthRules.standard())
                .fullConflictedSetOf(List.of(a11.state(), b11.state()));
        assertThat(v2).containsExactlyInAnyOrder(pl1v11.eventId(), pl2v11.eventId(), invite11.eventId());
    }

    @Test
    void aMissingEventIsAProtocolException() {
        RoomBuilder room = room(RoomVersions.V11, 50);
        RoomBuilder a = room.fork();
        a.event("m.room.name", "", ALICE).content("{\"name\":\"x\"}").send();
        var sets = List.of(room.state(), a.state());
        assertThatThrownBy(() -> StateResolution.resolve(room.version(), sets, id -> null, AuthRules.standard()))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("not supplied");
    }

    @Test
    void resolvesTenThousandConflictedEvents() {
        for (RoomVersion v : List.of(RoomVersions.V11, RoomVersions.V12)) {
            SyntheticRoom room = SyntheticRoom.generate(v, 5_000, 2, 7L);
            Map<StateKey, String> resolved = StateResolution.resolve(v, room.stateSets(), room.lookup(), AuthRules.standard());
            assertThat(resolved).containsKey(key(Pdu.POWER_LEVELS, ""));
            var sizes = new ArrayList<Integer>();
            for (var s : room.stateSets()) sizes.add(s.size());
            assertThat(resolved.size()).isGreaterThan(sizes.get(0) / 2);
        }
    }
}
