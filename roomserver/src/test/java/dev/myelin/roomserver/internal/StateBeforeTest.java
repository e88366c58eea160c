package dev.myelin.roomserver.internal;

import static dev.myelin.roomserver.internal.Rooms.ALICE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.protocol.auth.AuthRules;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.stateres.StateResolution;
import dev.myelin.roomserver.api.StoredEvent;
import dev.myelin.roomserver.storage.StateTable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@DatabaseComponent("roomserver")
class StateBeforeTest {

    @DatabaseTest
    void onePrevEventGivesTheStateAfterIt(Database db) {
        try (Rooms r = new Rooms(db)) {
            String room = r.createRoom(ALICE, Map.of());
            String topic = r.rs.send(ALICE, room, "m.room.topic", "", Rooms.obj(Map.of("topic", "a")), Optional.empty());
            r.rs.send(ALICE, room, "m.room.topic", "", Rooms.obj(Map.of("topic", "b")), Optional.empty());
            RoomGraph graph = new RoomGraph(db);
            RoomInfo info = graph.room(room).orElseThrow();
            Snapshot s = db.write(c -> new StateBefore(graph, AuthRules.standard()).compute(c, info, List.of(topic)));
            long topicNid = s.eventNid(new StateKey("m.room.topic", ""));
            assertThat(graph.event(topicNid).orElseThrow().eventId()).isEqualTo(topic);
        }
    }

    @DatabaseTest
    void eventsReadsManyByNidCachedOrNot(Database db) {
        try (Rooms r = new Rooms(db)) {
            String room = r.createRoom(ALICE, Map.of());
            String a = r.rs.send(ALICE, room, "m.room.topic", "", Rooms.obj(Map.of("topic", "a")), Optional.empty());
            String b = r.rs.send(ALICE, room, "m.room.topic", "", Rooms.obj(Map.of("topic", "b")), Optional.empty());
            RoomGraph fresh = new RoomGraph(db);
            long nidA = db.read(c -> fresh.event(c, a).orElseThrow().eventNid());
            RoomGraph cold = new RoomGraph(db);
            long nidB = db.read(c -> cold.event(c, b).orElseThrow().eventNid()); // b cached, a not
            Map<Long, StoredEvent> got = cold.events(List.of(nidA, nidB, nidA, 999_999L));
            assertThat(got).containsOnlyKeys(nidA, nidB);
            assertThat(got.get(nidA).eventId()).isEqualTo(a);
            assertThat(got.get(nidB).eventId()).isEqualTo(b);
            assertThat(cold.events(List.of())).isEmpty();
        }
    }

    @DatabaseTest
    void severalPrevEventsAreResolvedWithTheProtocolsAlgorithm(Database db) {
        try (Rooms r = new Rooms(db)) {
            String room = r.createRoom(ALICE, Map.of("room_version", "12"));
            String a = r.rs.send(ALICE, room, "m.room.topic", "", Rooms.obj(Map.of("topic", "a")), Optional.empty());
            String b = r.rs.send(ALICE, room, "m.room.name", "", Rooms.obj(Map.of("name", "n")), Optional.empty());
            String c2 = r.rs.send(ALICE, room, "m.room.topic", "", Rooms.obj(Map.of("topic", "c")), Optional.empty());
            RoomGraph graph = new RoomGraph(db);
            RoomInfo info = graph.room(room).orElseThrow();
            StateBefore before = new StateBefore(graph, AuthRules.standard());
            // a fork: one branch ends at the first topic, the other at the second
            Snapshot resolved = db.write(c -> before.compute(c, info, List.of(a, c2)));
            Map<StateKey, String> expected = db.read(c -> {
                Map<StateKey, String> x = new HashMap<>();
                Map<StateKey, String> y = new HashMap<>();
                before.stateAfter(c, graph.event(c, a).orElseThrow()).forEach((k, v) -> x.put(k, id(graph, v)));
                before.stateAfter(c, graph.event(c, c2).orElseThrow()).forEach((k, v) -> y.put(k, id(graph, v)));
                return StateResolution.resolve(info.version(), List.of(x, y), id -> graph.event(id).map(StoredEvent::pdu).orElse(null),
                        AuthRules.standard());
            });
            Map<StateKey, String> got = new HashMap<>();
            resolved.state().forEach((k, v) -> got.put(k, id(graph, v)));
            assertThat(got).isEqualTo(expected);
            assertThat(got.get(new StateKey("m.room.name", ""))).isEqualTo(b);
            // the resolved state is a stored snapshot of one full block that a fresh graph reads back
            assertThat(resolved.blocks()).hasSize(1);
            assertThat(new RoomGraph(db).snapshot(resolved.nid()).state()).isEqualTo(resolved.state());
        }
    }

    private static String id(RoomGraph graph, StateTable.Entry e) {
        return graph.event(e.eventNid()).orElseThrow().eventId();
    }
}
