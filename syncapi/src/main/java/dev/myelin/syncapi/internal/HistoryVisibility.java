package dev.myelin.syncapi.internal;

import dev.myelin.syncapi.storage.RoomEventsTable;
import dev.myelin.syncapi.storage.StateTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Which events of one room one user may see (https://spec.matrix.org/v1.19/client-server-api/#history-visibility),
 * judged from sync's index alone: the room's {@code m.room.history_visibility} and the user's membership in the
 * state before each event (for a visibility event, the state before or after it, whichever allows more), and,
 * for {@code shared}, whether the user was joined at some point after the event. The user's own membership
 * events are always visible.
 */
public final class HistoryVisibility {
    private final String userId;
    private final List<StateTables.Entry> changes; // visibility and membership changes, in position order

    private HistoryVisibility(String userId, List<StateTables.Entry> changes) {
        this.userId = userId;
        this.changes = changes;
    }

    /** Loads what judging {@code userId}'s view of {@code roomId} needs (a few rows). */
    public static HistoryVisibility of(Connection c, String roomId, String userId) throws SQLException {
        return new HistoryVisibility(userId, StateTables.visibilityChanges(c, roomId, userId));
    }

    /** From changes already read ({@link StateTables#visibilityChanges}, in position order). */
    static HistoryVisibility of(String userId, List<StateTables.Entry> changes) {
        return new HistoryVisibility(userId, changes);
    }

    public boolean canSee(RoomEventsTable.Row event) {
        // why: a user always sees their own membership events, or a rejected invite or a leave would never reach them
        if ("m.room.member".equals(event.type()) && userId.equals(event.stateKey())) return true;
        boolean isVisibilityEvent = "m.room.history_visibility".equals(event.type()) && "".equals(event.stateKey());
        // why (spec): a history_visibility event is visible if the visibility before or after it allows it
        return isVisibilityEvent ? judge(event, false) || judge(event, true) : judge(event, false);
    }

    /** {@code selfApplies}: the event's own visibility change counts as in effect for it. */
    private boolean judge(RoomEventsTable.Row event, boolean selfApplies) {
        boolean isVisibilityEvent = "m.room.history_visibility".equals(event.type()) && "".equals(event.stateKey());
        boolean isOwnMembership = "m.room.member".equals(event.type()) && userId.equals(event.stateKey());
        String visibility = "shared";
        String membership = "leave";
        boolean joinedLater = false;
        for (StateTables.Entry e : changes) {
            boolean member = e.type().equals("m.room.member");
            boolean applies = e.pos() < event.pos()
                    || (e.pos() == event.pos() && (member ? isOwnMembership : isVisibilityEvent && selfApplies));
            if (applies) {
                if (member) membership = e.eventNid() == null || e.membership() == null ? "leave" : e.membership();
                else visibility = e.eventNid() == null || e.membership() == null ? "shared" : e.membership();
            } else if (member && "join".equals(e.membership())) {
                joinedLater = true;
            }
        }
        return switch (visibility) {
            case "world_readable" -> true;
            case "invited" -> membership.equals("join") || membership.equals("invite");
            case "joined" -> membership.equals("join");
            default -> membership.equals("join") || joinedLater; // shared, and unknown values as shared
        };
    }

    /** Whether the user may read the room at all now (joined, or world readable, or was ever in it). */
    public boolean hasAnyAccess() {
        if (!changes.isEmpty()) {
            for (StateTables.Entry e : changes) if (e.type().equals("m.room.member")) return true;
        }
        String visibility = "shared";
        for (StateTables.Entry e : changes) {
            if (!e.type().equals("m.room.member") && e.membership() != null) visibility = e.membership();
        }
        return visibility.equals("world_readable");
    }
}
