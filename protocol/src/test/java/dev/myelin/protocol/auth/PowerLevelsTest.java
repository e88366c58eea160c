package dev.myelin.protocol.auth;

import static dev.myelin.protocol.auth.RoomBuilder.obj;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersions;
import org.junit.jupiter.api.Test;

/** Parsing and defaults of power levels per room version, and who the creators are. */
class PowerLevelsTest {

    static final String ALICE = "@alice:example.org";
    static final String BOB = "@bob:example.org";

    @Test
    void appliesTheSpecDefaultsWhenThePowerLevelsEventIsEmpty() {
        RoomBuilder room = RoomBuilder.create(RoomVersions.V10, ALICE);
        Pdu pl = room.event(Pdu.POWER_LEVELS, "", ALICE).content("{}").send();
        PowerLevels p = PowerLevels.of(RoomVersions.V10, pl, room.createEvent());
        assertThat(p.userLevel(ALICE)).isZero(); // an explicit event without users: users_default
        assertThat(p.eventLevel("m.room.message", false)).isZero();
        assertThat(p.eventLevel("m.room.topic", true)).isEqualTo(50);
        assertThat(p.ban()).isEqualTo(50);
        assertThat(p.kick()).isEqualTo(50);
        assertThat(p.redact()).isEqualTo(50);
        assertThat(p.invite()).isZero();
        assertThat(p.notificationLevel("room")).isEqualTo(50);
    }

    @Test
    void withoutAPowerLevelsEventTheCreatorHas100AndOthers0() {
        for (var v : RoomVersions.all()) {
            RoomBuilder room = RoomBuilder.create(v, ALICE);
            PowerLevels p = PowerLevels.of(v, null, room.createEvent());
            assertThat(p.userLevel(ALICE)).isEqualTo(v.privilegedCreators() ? PowerLevels.INFINITE : 100);
            assertThat(p.userLevel(BOB)).isZero();
            assertThat(p.eventLevel("m.room.name", true)).isEqualTo(50);
        }
    }

    @Test
    void creatorsComeFromContentBeforeV11FromTheSenderFromV11AndAdditionalCreatorsFromV12() {
        var content = obj("{\"creator\":\"@other:example.org\",\"additional_creators\":[\"" + BOB + "\"]}");
        assertThat(PowerLevels.creators(RoomVersions.V10, RoomBuilder.create(RoomVersions.V10, ALICE, content).createEvent()))
                .containsExactly("@other:example.org");
        assertThat(PowerLevels.creators(RoomVersions.V11, RoomBuilder.create(RoomVersions.V11, ALICE, content).createEvent()))
                .containsExactly(ALICE);
        assertThat(PowerLevels.creators(RoomVersions.V12, RoomBuilder.create(RoomVersions.V12, ALICE, content).createEvent()))
                .containsExactly(ALICE, BOB);
    }

    @Test
    void v12CreatorsHaveUnlimitedPowerEvenWithAPowerLevelsEvent() {
        RoomBuilder room = RoomBuilder.create(RoomVersions.V12, ALICE);
        Pdu pl = room.event(Pdu.POWER_LEVELS, "", ALICE).content("{\"users_default\":10}").send();
        PowerLevels p = PowerLevels.of(RoomVersions.V12, pl, room.createEvent());
        assertThat(p.userLevel(ALICE)).isEqualTo(PowerLevels.INFINITE);
        assertThat(p.userLevel(BOB)).isEqualTo(10);
    }

    @Test
    void parsesStringsBeforeV10AndFloatsBeforeV6() {
        var json = RoomBuilder.JSON;
        assertThat(PowerLevels.parseLevel(RoomVersions.V9, json.getNodeFactory().stringNode(" +0050 "))).isEqualTo(50L);
        assertThat(PowerLevels.parseLevel(RoomVersions.V9, json.getNodeFactory().stringNode("-7"))).isEqualTo(-7L);
        assertThat(PowerLevels.parseLevel(RoomVersions.V9, json.getNodeFactory().stringNode("5.5"))).isNull();
        assertThat(PowerLevels.parseLevel(RoomVersions.V9, json.getNodeFactory().stringNode("99999999999999999999"))).isNull();
        assertThat(PowerLevels.parseLevel(RoomVersions.V10, json.getNodeFactory().stringNode("50"))).isNull();
        assertThat(PowerLevels.parseLevel(RoomVersions.V5, json.getNodeFactory().numberNode(50.57))).isEqualTo(50L);
        assertThat(PowerLevels.parseLevel(RoomVersions.V5, json.getNodeFactory().numberNode(-50.57))).isEqualTo(-50L);
        assertThat(PowerLevels.parseLevel(RoomVersions.V6, json.getNodeFactory().numberNode(50.57))).isNull();
        assertThat(PowerLevels.parseLevel(RoomVersions.V5, json.getNodeFactory().numberNode(Double.NaN))).isNull();
        assertThat(PowerLevels.parseLevel(RoomVersions.V12, json.getNodeFactory().numberNode(75))).isEqualTo(75L);
        assertThat(PowerLevels.parseLevel(RoomVersions.V12, json.getNodeFactory().booleanNode(true))).isNull();
    }
}
