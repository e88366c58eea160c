package dev.myelin.syncapi.routing;

import static dev.myelin.syncapi.SyncTestServer.enc;
import static dev.myelin.syncapi.SyncTestServer.id;
import static dev.myelin.syncapi.routing.SyncRoomsTest.ids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.DatabaseConfig;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.syncapi.SyncTestServer;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The state of a gappy sync is the state at the start of its timeline, also when a key changes on both sides. */
class StateDeltaTest {

    @DatabaseTest
    void aKeyChangedInTheGapAndAgainInTheTimelineGivesTheGapValueInState(DatabaseConfig config) throws Exception {
        try (SyncTestServer s = new SyncTestServer(config)) {
            String alice = s.user("alice");
            String room = s.rooms.createRoom(id("alice"));
            String f = "filter=" + enc("{\"room\":{\"timeline\":{\"limit\":2}}}");
            String next = s.sync(alice, f).path("next_batch").asString();
            String gapTopic = s.rooms.state(room, id("alice"), "m.room.topic", "", Map.of("topic", "gap"));
            for (int i = 0; i < 4; i++) s.rooms.message(room, id("alice"), "m" + i);
            String timelineTopic = s.rooms.state(room, id("alice"), "m.room.topic", "", Map.of("topic", "timeline"));
            String last = s.rooms.message(room, id("alice"), "last");

            JsonNode r = s.sync(alice, f + "&since=" + next).path("rooms").path("join").path(room);
            assertThat(r.path("timeline").path("limited").asBoolean()).isTrue();
            assertThat(ids(r.path("timeline").path("events"))).containsExactly(timelineTopic, last);
            assertThat(ids(r.path("state").path("events"))).containsExactly(gapTopic);

            // a key set only inside the timeline is not repeated in state
            String after = s.sync(alice, f + "&since=" + next).path("next_batch").asString();
            String name = s.rooms.state(room, id("alice"), "m.room.name", "", Map.of("name", "n"));
            JsonNode inc = s.sync(alice, f + "&since=" + after).path("rooms").path("join").path(room);
            assertThat(inc.path("timeline").path("limited").asBoolean()).isFalse();
            assertThat(ids(inc.path("timeline").path("events"))).containsExactly(name);
            assertThat(inc.path("state").path("events").size()).isZero();
        }
    }
}
