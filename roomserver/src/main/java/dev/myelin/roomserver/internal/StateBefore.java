package dev.myelin.roomserver.internal;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.auth.AuthRules;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.stateres.StateResolution;
import dev.myelin.roomserver.api.StoredEvent;
import dev.myelin.roomserver.storage.EventsTable;
import dev.myelin.roomserver.storage.StateTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The state before an event from its prev events: the state after its one prev event, or, with several, the
 * resolution (the room version's algorithm from the protocol module) of the states after each, written as a
 * snapshot of one full block. Local events have one prev event; federation input brings forks.
 */
final class StateBefore {
    private final RoomGraph graph;
    private final AuthRules rules;

    StateBefore(RoomGraph graph, AuthRules rules) {
        this.graph = graph;
        this.rules = rules;
    }

    /** The state after {@code event}: the state before it, plus itself when it is a state event. */
    Map<StateKey, StateTable.Entry> stateAfter(Connection c, StoredEvent event) throws SQLException {
        EventsTable.EventRow row = EventsTable.byNid(c, event.eventNid()).orElseThrow();
        Map<StateKey, StateTable.Entry> state = new HashMap<>(graph.snapshot(c, row.stateSnapshotNid()).state());
        if (event.pdu().isState()) {
            state.put(new StateKey(event.pdu().type(), event.pdu().stateKey()),
                    new StateTable.Entry(row.eventTypeNid(), row.stateKeyNid(), row.eventNid()));
        }
        return state;
    }

    /**
     * The snapshot of the state before an event of {@code room} whose prev events are {@code prevEventIds} (all
     * stored). Must run in a write transaction: a resolved state is stored as a new snapshot.
     */
    Snapshot compute(Connection tx, RoomInfo room, List<String> prevEventIds) throws SQLException {
        List<StoredEvent> prevs = new ArrayList<>();
        for (String id : new LinkedHashSet<>(prevEventIds)) {
            prevs.add(graph.event(tx, id).orElseThrow(() -> new ProtocolException("prev event " + id + " is not stored")));
        }
        if (prevs.size() == 1) {
            StoredEvent only = prevs.getFirst();
            Map<StateKey, StateTable.Entry> after = stateAfter(tx, only);
            if (!only.pdu().isState()) {
                return graph.snapshot(tx, EventsTable.byNid(tx, only.eventNid()).orElseThrow().stateSnapshotNid());
            }
            return store(tx, room, after);
        }
        List<Map<StateKey, String>> sets = new ArrayList<>();
        Map<String, StateTable.Entry> entries = new HashMap<>();
        for (StoredEvent prev : prevs) {
            Map<StateKey, String> set = new HashMap<>();
            for (Map.Entry<StateKey, StateTable.Entry> e : stateAfter(tx, prev).entrySet()) {
                String id = graph.event(tx, e.getValue().eventNid()).eventId();
                set.put(e.getKey(), id);
                entries.put(id, e.getValue());
            }
            sets.add(set);
        }
        Map<StateKey, String> resolved = StateResolution.resolve(room.version(), sets, id -> {
            try {
                return graph.event(tx, id).map(StoredEvent::pdu).orElse(null);
            } catch (SQLException e) {
                throw RoomGraph.unchecked(e);
            }
        }, rules);
        Map<StateKey, StateTable.Entry> state = new HashMap<>();
        for (Map.Entry<StateKey, String> e : resolved.entrySet()) {
            StateTable.Entry entry = entries.get(e.getValue());
            if (entry == null) {
                // why: resolution may pick an event from the auth chains that no state set held
                EventsTable.EventRow row = EventsTable.byId(tx, e.getValue()).orElseThrow();
                entry = new StateTable.Entry(row.eventTypeNid(), row.stateKeyNid(), row.eventNid());
            }
            state.put(e.getKey(), entry);
        }
        return store(tx, room, state);
    }

    /** Stores a whole state as a snapshot of one full block (deduplicated like every other). */
    private Snapshot store(Connection tx, RoomInfo room, Map<StateKey, StateTable.Entry> state) throws SQLException {
        List<StateTable.Entry> all = new ArrayList<>(state.values());
        all.sort(Comparator.comparingLong(StateTable.Entry::typeNid).thenComparingLong(StateTable.Entry::stateKeyNid));
        long block = StateTable.block(tx, graph.db().dialect(), all);
        long nid = StateTable.snapshot(tx, graph.db().dialect(), room.roomNid(), List.of(block));
        return new Snapshot(nid, List.of(block), Map.copyOf(state));
    }
}
