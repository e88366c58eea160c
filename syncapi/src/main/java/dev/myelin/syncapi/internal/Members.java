package dev.myelin.syncapi.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.syncapi.storage.RoomEventsTable;
import dev.myelin.syncapi.storage.StateTables;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /rooms/{roomId}/members} (https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3roomsroomidmembers):
 * the room's member events at a point of the timeline, from sync's state index. The point is the {@code at}
 * token (a sync token or a {@code t<pos>} pagination token) or now; a user who has left (or was banned) sees the
 * members as they were when they left; the user must be allowed to see the room's last event at that point
 * (history visibility), so an invited user of a room that is not world readable gets 403, as from {@code /state}.
 */
public final class Members {
    private final Database db;
    private final EventRenderer renderer;

    public Members(Database db, EventRenderer renderer) {
        this.db = db;
        this.renderer = renderer;
    }

    /**
     * One request. {@code atBoundary} is a room stream boundary ({@link SyncToken#parseBoundary}): the state after
     * every event before it. Both filters must hold when both are given (as Synapse and the other servers read
     * the spec's "or" wording: {@code membership=join&not_membership=leave} lists the joined members).
     */
    public record Request(String userId, String deviceId, String roomId, Optional<Long> atBoundary,
                          Optional<String> membership, Optional<String> notMembership) {}

    public List<ObjectNode> members(Request r) {
        List<StateTables.Entry> entries = db.read(c -> {
            HistoryVisibility visibility = HistoryVisibility.of(c, r.roomId(), r.userId());
            if (!visibility.hasAnyAccess()) throw MatrixException.forbidden("You are not in the room " + r.roomId());
            long at = r.atBoundary().isPresent() ? r.atBoundary().get() - 1 : RoomEventsTable.head(c);
            Optional<RoomEventsTable.Row> last = lastEvent(c, r.roomId(), at);
            if (last.isPresent() && !visibility.canSee(last.get())) {
                // why: "if you have left the room then this will be the members of the room when you left"
                Optional<StateTables.Entry> own = StateTables.current(c, r.roomId(), "m.room.member", r.userId());
                boolean left = own.isPresent() && ("leave".equals(own.get().membership()) || "ban".equals(own.get().membership()));
                if (left && own.get().pos() < at) {
                    at = own.get().pos();
                    last = lastEvent(c, r.roomId(), at);
                }
            }
            if (last.isEmpty()) throw MatrixException.notFound("The room has no state at the given token");
            if (!visibility.canSee(last.get())) {
                throw MatrixException.forbidden("You may not see the room's members at the given token");
            }
            List<StateTables.Entry> out = new ArrayList<>();
            for (StateTables.Entry e : RoomState.delta(c, r.roomId(), 0, at).values()) {
                if (!e.type().equals("m.room.member") || e.eventNid() == null) continue;
                if (r.membership().isPresent() && !r.membership().get().equals(e.membership())) continue;
                if (r.notMembership().isPresent() && r.notMembership().get().equals(e.membership())) continue;
                out.add(e);
            }
            out.sort(Comparator.comparing(StateTables.Entry::stateKey));
            return out;
        });
        EventRenderer.Viewer viewer = new EventRenderer.Viewer(r.userId(), r.deviceId(), List.of());
        List<ObjectNode> chunk = new ArrayList<>();
        for (StateTables.Entry e : entries) renderer.render(viewer, e.eventNid(), null).ifPresent(chunk::add);
        return chunk;
    }

    private static Optional<RoomEventsTable.Row> lastEvent(java.sql.Connection c, String roomId, long at)
            throws java.sql.SQLException {
        List<RoomEventsTable.Row> rows = RoomEventsTable.newestFirst(c, roomId, 0, at, 1);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
    }
}
