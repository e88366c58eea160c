package dev.myelin.syncapi.internal;

import dev.myelin.syncapi.storage.RoomEventsTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Walks a room's timeline index in either direction, keeping the events a predicate accepts. */
final class RoomHistory {
    private static final int BATCH = 100;

    private RoomHistory() {}

    /** Up to {@code max} accepted events with {@code after < pos <= upTo}, newest first. */
    static List<RoomEventsTable.Row> newest(Connection c, String roomId, long after, long upTo, int max,
                                            Predicate<RoomEventsTable.Row> accept) throws SQLException {
        return newestUntil(c, roomId, after, upTo, max, accept, row -> false).rows();
    }

    /** Accepted events, newest first; {@code stopped}: the scan ended at an event {@code stop} matched. */
    record Window(List<RoomEventsTable.Row> rows, boolean stopped) {}

    /**
     * Like {@link #newest}, but the scan ends at the first event {@code stop} matches (newest first), so the events
     * returned are a contiguous run of the room's history apart from what {@code accept} skips.
     */
    static Window newestUntil(Connection c, String roomId, long after, long upTo, int max,
                              Predicate<RoomEventsTable.Row> accept, Predicate<RoomEventsTable.Row> stop)
            throws SQLException {
        List<RoomEventsTable.Row> out = new ArrayList<>();
        long cursor = upTo;
        while (out.size() < max && cursor > after) {
            int batch = Math.max(BATCH, max + 1);
            List<RoomEventsTable.Row> rows = RoomEventsTable.newestFirst(c, roomId, after, cursor, batch);
            for (RoomEventsTable.Row row : rows) {
                if (stop.test(row)) return new Window(out, true);
                if (accept.test(row)) {
                    out.add(row);
                    if (out.size() == max) return new Window(out, false);
                }
            }
            if (rows.size() < batch) break;
            cursor = rows.get(rows.size() - 1).pos() - 1;
        }
        return new Window(out, false);
    }

    /** Up to {@code max} accepted events with {@code from <= pos <= upTo}, oldest first. */
    static List<RoomEventsTable.Row> oldest(Connection c, String roomId, long from, long upTo, int max,
                                            Predicate<RoomEventsTable.Row> accept) throws SQLException {
        List<RoomEventsTable.Row> out = new ArrayList<>();
        long cursor = from;
        while (out.size() < max && cursor <= upTo) {
            int batch = Math.max(BATCH, max + 1);
            List<RoomEventsTable.Row> rows = RoomEventsTable.oldestFirst(c, roomId, cursor, upTo, batch);
            for (RoomEventsTable.Row row : rows) {
                if (accept.test(row)) {
                    out.add(row);
                    if (out.size() == max) return out;
                }
            }
            if (rows.size() < batch) break;
            cursor = rows.get(rows.size() - 1).pos() + 1;
        }
        return out;
    }
}
