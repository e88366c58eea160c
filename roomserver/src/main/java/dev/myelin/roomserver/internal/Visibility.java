package dev.myelin.roomserver.internal;

import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.roomserver.api.StoredEvent;
import dev.myelin.roomserver.storage.MembershipTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * History visibility (https://spec.matrix.org/v1.19/client-server-api/#history-visibility): whether a user may see
 * an event, judged by the {@code m.room.history_visibility} and the user's membership in the state at the event
 * (the state after it, so a user sees their own membership event), and by their membership now.
 */
final class Visibility {
    private final RoomGraph graph;

    Visibility(RoomGraph graph) {
        this.graph = graph;
    }

    /** Whether {@code userId} may see {@code event} of {@code room}. */
    boolean canSee(Connection c, RoomInfo room, String userId, StoredEvent event) throws SQLException {
        long snapshotNid = graph.stateBefore(c, event.eventId());
        Snapshot before = graph.snapshot(c, snapshotNid);
        String visibility = historyVisibility(c, before, event);
        if (visibility.equals("world_readable")) return true;
        String membershipAt = membershipAt(c, before, event, userId);
        if (membershipAt.equals("join")) return true;
        if (visibility.equals("invited") && membershipAt.equals("invite")) return true;
        if (visibility.equals("shared")) {
            Optional<MembershipTable.MembershipRow> now = MembershipTable.get(c, room.roomNid(), userId);
            if (now.isEmpty()) return false;
            if (now.get().membership().equals("join")) return true;
            // why: "shared" also covers a user who joined after the event and has left since: they were joined in
            // the state before their current membership event, which came after the event
            if (now.get().eventNid() > event.eventNid()) {
                Snapshot beforeLeave = graph.snapshot(c, graph.stateBefore(c, graph.event(c, now.get().eventNid()).eventId()));
                Long prior = beforeLeave.eventNid(new StateKey(Pdu.MEMBER, userId));
                return prior != null && prior > event.eventNid()
                        && "join".equals(graph.event(c, prior).pdu().content().path("membership").asString(""));
            }
        }
        return false;
    }

    private String historyVisibility(Connection c, Snapshot before, StoredEvent event) throws SQLException {
        Pdu pdu = event.pdu();
        if (pdu.isState(Pdu.HISTORY_VISIBILITY, "")) return pdu.content().path("history_visibility").asString("shared");
        Long nid = before.eventNid(new StateKey(Pdu.HISTORY_VISIBILITY, ""));
        if (nid == null) return "shared";
        return graph.event(c, nid).pdu().content().path("history_visibility").asString("shared");
    }

    private String membershipAt(Connection c, Snapshot before, StoredEvent event, String userId) throws SQLException {
        Pdu pdu = event.pdu();
        if (pdu.isState(Pdu.MEMBER, userId)) return pdu.content().path("membership").asString("leave");
        Long nid = before.eventNid(new StateKey(Pdu.MEMBER, userId));
        if (nid == null) return "leave";
        return graph.event(c, nid).pdu().content().path("membership").asString("leave");
    }
}
