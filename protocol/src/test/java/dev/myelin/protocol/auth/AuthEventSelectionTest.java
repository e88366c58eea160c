package dev.myelin.protocol.auth;

import static dev.myelin.protocol.auth.RoomBuilder.obj;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersions;
import org.junit.jupiter.api.Test;

/** Which (type, state key) pairs the auth events selection picks, per room version and membership. */
class AuthEventSelectionTest {

    static final String ALICE = "@alice:example.org";
    static final String BOB = "@bob:example.org";

    @Test
    void aMessageNeedsCreatePowerLevelsAndTheSendersMembership() {
        assertThat(AuthEventSelection.keys(RoomVersions.V11, "m.room.message", null, ALICE, obj("{}"))).containsExactly(
                StateKey.of(Pdu.CREATE, ""), StateKey.of(Pdu.POWER_LEVELS, ""), StateKey.of(Pdu.MEMBER, ALICE));
    }

    @Test
    void fromV12TheCreateEventIsNeverSelected() {
        assertThat(AuthEventSelection.keys(RoomVersions.V12, "m.room.message", null, ALICE, obj("{}")))
                .containsExactly(StateKey.of(Pdu.POWER_LEVELS, ""), StateKey.of(Pdu.MEMBER, ALICE));
        assertThat(AuthEventSelection.keys(RoomVersions.V12, Pdu.CREATE, "", ALICE, obj("{}"))).isEmpty();
    }

    @Test
    void aJoinNeedsTheTargetJoinRulesAndTheAuthorisingUserFromV8() {
        var content = obj("{\"membership\":\"join\",\"join_authorised_via_users_server\":\"" + BOB + "\"}");
        assertThat(AuthEventSelection.keys(RoomVersions.V8, Pdu.MEMBER, ALICE, ALICE, content)).containsExactly(
                StateKey.of(Pdu.CREATE, ""), StateKey.of(Pdu.POWER_LEVELS, ""), StateKey.of(Pdu.MEMBER, ALICE),
                StateKey.of(Pdu.JOIN_RULES, ""), StateKey.of(Pdu.MEMBER, BOB));
        assertThat(AuthEventSelection.keys(RoomVersions.V7, Pdu.MEMBER, ALICE, ALICE, content))
                .doesNotContain(StateKey.of(Pdu.MEMBER, BOB));
    }

    @Test
    void aThirdPartyInviteNeedsTheTokensInviteEvent() {
        var content = obj("{\"membership\":\"invite\",\"third_party_invite\":{\"signed\":{\"token\":\"tok\"}}}");
        assertThat(AuthEventSelection.keys(RoomVersions.V10, Pdu.MEMBER, BOB, ALICE, content)).containsExactly(
                StateKey.of(Pdu.CREATE, ""), StateKey.of(Pdu.POWER_LEVELS, ""), StateKey.of(Pdu.MEMBER, ALICE),
                StateKey.of(Pdu.MEMBER, BOB), StateKey.of(Pdu.JOIN_RULES, ""), StateKey.of(Pdu.THIRD_PARTY_INVITE, "tok"));
    }

    @Test
    void aLeaveOrBanDoesNotNeedTheJoinRules() {
        for (String m : new String[] {"leave", "ban"}) {
            assertThat(AuthEventSelection.keys(RoomVersions.V10, Pdu.MEMBER, BOB, ALICE, obj("{\"membership\":\"" + m + "\"}")))
                    .containsExactly(StateKey.of(Pdu.CREATE, ""), StateKey.of(Pdu.POWER_LEVELS, ""),
                            StateKey.of(Pdu.MEMBER, ALICE), StateKey.of(Pdu.MEMBER, BOB));
        }
    }

    @Test
    void malformedContentSelectsOnlyWhatItCan() {
        var content = obj("{\"membership\":\"invite\",\"third_party_invite\":\"x\"}");
        assertThat(AuthEventSelection.keys(RoomVersions.V10, Pdu.MEMBER, BOB, ALICE, content))
                .doesNotContain(StateKey.of(Pdu.THIRD_PARTY_INVITE, "x"));
    }
}
