package dev.myelin.roomserver.internal;

import java.util.List;

/**
 * The tip of a room's graph: its forward extremities, the snapshot of its current state, and the greatest depth.
 * Replaced (never mutated) by the room's input lane after each commit.
 */
record RoomHead(RoomInfo room, List<Long> latestEventNids, List<String> latestEventIds, long stateSnapshotNid,
                long maxDepth) {}
