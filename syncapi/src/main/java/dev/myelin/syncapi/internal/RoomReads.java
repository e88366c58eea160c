package dev.myelin.syncapi.internal;

import dev.myelin.syncapi.storage.StateTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The per-room index reads one {@code /sync} response makes (visibility, latest state change, current state,
 * member counts). For a response covering many rooms (an initial sync) each kind is read for all rooms in one
 * query, up front; otherwise room by room. Why: on PostgreSQL each query is a round trip, and an initial sync of
 * a user in 300 rooms made about nine per room.
 */
final class RoomReads {
    /** From this many rooms on, reads are batched. */
    static final int BATCH_FROM = 8;

    private final Connection c;
    private final String userId;
    private final Map<String, List<StateTables.Entry>> visibility;
    private final Map<String, Long> lastChange;
    private final Map<String, List<StateTables.Entry>> stateWithoutMembers;
    private final Map<String, Map<String, Integer>> memberCounts;

    private RoomReads(Connection c, String userId, Map<String, List<StateTables.Entry>> visibility,
                      Map<String, Long> lastChange, Map<String, List<StateTables.Entry>> stateWithoutMembers,
                      Map<String, Map<String, Integer>> memberCounts) {
        this.c = c;
        this.userId = userId;
        this.visibility = visibility;
        this.lastChange = lastChange;
        this.stateWithoutMembers = stateWithoutMembers;
        this.memberCounts = memberCounts;
    }

    /** Reads for {@code rooms}, batched when {@code many} is true and there are enough of them. */
    static RoomReads of(Connection c, String userId, Collection<String> rooms, boolean many) throws SQLException {
        if (!many || rooms.size() < BATCH_FROM) return new RoomReads(c, userId, null, null, null, null);
        return new RoomReads(c, userId, StateTables.visibilityChanges(c, rooms, userId), StateTables.lastChanges(c, rooms),
                StateTables.currentWithoutMembers(c, rooms), StateTables.memberCounts(c, rooms));
    }

    HistoryVisibility visibility(String roomId) throws SQLException {
        if (visibility == null) return HistoryVisibility.of(c, roomId, userId);
        return HistoryVisibility.of(userId, visibility.getOrDefault(roomId, List.of()));
    }

    long lastChange(String roomId) throws SQLException {
        if (lastChange == null) return StateTables.lastChange(c, roomId);
        return lastChange.getOrDefault(roomId, 0L);
    }

    /** The room's current state without the member events of users other than {@code members}. */
    List<StateTables.Entry> currentWithMembers(String roomId, Collection<String> members) throws SQLException {
        if (stateWithoutMembers == null) return StateTables.currentWithMembers(c, roomId, members);
        List<StateTables.Entry> out = new ArrayList<>(stateWithoutMembers.getOrDefault(roomId, List.of()));
        out.addAll(StateTables.currentMembers(c, roomId, members));
        return out;
    }

    Map<String, Integer> memberCounts(String roomId) throws SQLException {
        if (memberCounts == null) return StateTables.memberCounts(c, roomId);
        return memberCounts.getOrDefault(roomId, Map.of());
    }

    /** Whether the room has a current {@code m.room.name} or {@code m.room.canonical_alias}. */
    boolean named(String roomId) throws SQLException {
        if (stateWithoutMembers == null) {
            return StateTables.current(c, roomId, "m.room.name", "").isPresent()
                    || StateTables.current(c, roomId, "m.room.canonical_alias", "").isPresent();
        }
        for (StateTables.Entry e : stateWithoutMembers.getOrDefault(roomId, List.of())) {
            if (e.stateKey().isEmpty() && (e.type().equals("m.room.name") || e.type().equals("m.room.canonical_alias"))) {
                return true;
            }
        }
        return false;
    }
}
