package dev.myelin.roomserver.internal;

import dev.myelin.protocol.auth.StateKey;
import dev.myelin.roomserver.storage.StateTable;
import java.util.List;
import java.util.Map;

/**
 * A loaded state snapshot: its blocks (in application order) and the state they make, by (type, state key),
 * each with its type, state key and event NIDs.
 */
record Snapshot(long nid, List<Long> blocks, Map<StateKey, StateTable.Entry> state) {
    static final Snapshot EMPTY = new Snapshot(0, List.of(), Map.of());

    Long eventNid(StateKey key) {
        StateTable.Entry e = state.get(key);
        return e == null ? null : e.eventNid();
    }
}
