package dev.myelin.roomserver.storage;

import dev.myelin.platform.db.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends message events (no state key, no redaction) to a room in one step: claims the client transaction IDs
 * they answer, inserts their rows, moves the room's head to the last of them and finds the redactions stored
 * earlier that name any of them. On PostgreSQL this is ONE statement (data-modifying {@code WITH} parts), on
 * SQLite one statement per part.
 *
 * <p>why: on PostgreSQL each statement is a round trip, and a send's transaction was five of them before the
 * outbox append and the commit; the parts depend on nothing the database answers in between (event IDs are
 * computed before the transaction), so one statement does. The head's compare-and-set and the transaction IDs'
 * primary key still decide, in the same transaction, whether the append may stand.
 */
public final class MessageAppend {
    private MessageAppend() {}

    /** One message event to store; its state before is the room's current state ({@code stateSnapshotNid}). */
    public record Event(String eventId, long typeNid, long depth, long originServerTs, String sender, String json) {}

    /** A client's transaction ID and the event (the last of its send) that answers it; no two share an event. */
    public record TxnId(String userId, String deviceId, String txnKey, String eventId) {}

    /**
     * What the append found: the new events' NIDs by event ID; the transaction IDs that were taken already (then
     * the caller must roll back: their events were stored by an earlier send); whether the room's head had moved
     * (then too); and, per new event ID, the IDs of redactions stored earlier that name it, oldest first.
     */
    public record Result(Map<String, Long> eventNids, List<TxnId> taken, boolean headMoved,
                         Map<String, List<String>> earlierRedactions) {}

    /** At most this many events per append (the parameters of one PostgreSQL statement stay few). */
    public static final int MAX_EVENTS = 500;

    /**
     * Appends {@code events} (in order) with {@code txns}, and moves the head from {@code expectedLatest} to the
     * last event with {@code maxDepth}. The caller must roll back when the result has {@code taken} transaction IDs
     * or {@code headMoved}.
     */
    public static Result append(Connection tx, Dialect dialect, long roomNid, long stateSnapshotNid, List<Event> events,
                                List<TxnId> txns, List<Long> expectedLatest, long maxDepth) throws SQLException {
        if (events.isEmpty() || events.size() > MAX_EVENTS) {
            throw new IllegalArgumentException("between 1 and " + MAX_EVENTS + " events, got " + events.size());
        }
        return dialect == Dialect.POSTGRES
                ? inOneStatement(tx, roomNid, stateSnapshotNid, events, txns, expectedLatest, maxDepth)
                : stepByStep(tx, roomNid, stateSnapshotNid, events, txns, expectedLatest, maxDepth);
    }

    private static Result stepByStep(Connection tx, long roomNid, long stateSnapshotNid, List<Event> events,
                                     List<TxnId> txns, List<Long> expectedLatest, long maxDepth) throws SQLException {
        List<TxnId> taken = new ArrayList<>();
        for (TxnId t : txns) {
            if (Sql.update(tx, "INSERT INTO roomserver_transactions (user_id, device_id, txn_key, event_id) "
                    + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", t.userId(), t.deviceId(), t.txnKey(), t.eventId()) == 0) {
                taken.add(t);
            }
        }
        if (!taken.isEmpty()) return new Result(Map.of(), taken, false, Map.of());
        Map<String, List<String>> redactions = new HashMap<>();
        List<Object> ids = new ArrayList<>();
        ids.add(roomNid);
        for (Event e : events) ids.add(e.eventId());
        for (String[] r : Sql.list(tx, "SELECT redacts, event_id FROM roomserver_events WHERE room_nid = ? AND redacts IN ("
                + marks(events.size()) + ") ORDER BY event_nid", rs -> new String[] {rs.getString(1), rs.getString(2)},
                ids.toArray())) {
            redactions.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r[1]);
        }
        Map<String, Long> nids = new LinkedHashMap<>();
        for (Event e : events) {
            nids.put(e.eventId(), EventsTable.insert(tx, roomNid, e.eventId(), e.typeNid(), 0, e.depth(),
                    e.originServerTs(), e.sender(), stateSnapshotNid, null, e.json()));
        }
        boolean moved = !RoomsTable.updateHead(tx, roomNid, expectedLatest, List.of(nids.get(events.getLast().eventId())),
                stateSnapshotNid, maxDepth);
        return new Result(nids, List.of(), moved, redactions);
    }

    private static Result inOneStatement(Connection tx, long roomNid, long stateSnapshotNid, List<Event> events,
                                         List<TxnId> txns, List<Long> expectedLatest, long maxDepth) throws SQLException {
        StringBuilder sql = new StringBuilder("WITH ");
        List<Object> args = new ArrayList<>();
        if (!txns.isEmpty()) {
            sql.append("t AS (INSERT INTO roomserver_transactions (user_id, device_id, txn_key, event_id) VALUES ")
                    .append(String.join(", ", Collections.nCopies(txns.size(), "(?, ?, ?, ?)")))
                    .append(" ON CONFLICT DO NOTHING RETURNING event_id), ");
            for (TxnId t : txns) Collections.addAll(args, t.userId(), t.deviceId(), t.txnKey(), t.eventId());
        }
        sql.append("e AS (INSERT INTO roomserver_events (room_nid, event_id, event_type_nid, state_key_nid, depth, "
                        + "origin_server_ts, sender, state_snapshot_nid, json) VALUES ")
                .append(String.join(", ", Collections.nCopies(events.size(), "(?, ?, ?, 0, ?, ?, ?, ?, ?)")))
                .append(" RETURNING event_nid, event_id), ");
        for (Event e : events) {
            Collections.addAll(args, roomNid, e.eventId(), e.typeNid(), e.depth(), e.originServerTs(), e.sender(),
                    stateSnapshotNid, e.json());
        }
        // why: the compare-and-set of the head: no row when another writer moved it (READ COMMITTED re-checks the
        // condition against the row that writer committed)
        sql.append("h AS (UPDATE roomserver_rooms SET latest_event_nids = (SELECT event_nid FROM e WHERE event_id = ?)::text, "
                + "state_snapshot_nid = ?, max_depth = ? WHERE room_nid = ? AND latest_event_nids = ? RETURNING room_nid) ");
        Collections.addAll(args, events.getLast().eventId(), stateSnapshotNid, maxDepth, roomNid, Sql.joinLongs(expectedLatest));
        sql.append("SELECT 'e', event_id, NULL, event_nid FROM e UNION ALL SELECT 'h', NULL, NULL, room_nid FROM h ");
        if (!txns.isEmpty()) {
            sql.append("UNION ALL SELECT 't', event_id, NULL, NULL FROM t ");
        }
        // why: the statement's snapshot is taken before its own inserts, so this finds only earlier rows
        sql.append("UNION ALL SELECT 'r', redacts, event_id, event_nid FROM roomserver_events WHERE room_nid = ? "
                + "AND redacts IN (").append(marks(events.size())).append(")");
        args.add(roomNid);
        for (Event e : events) args.add(e.eventId());

        Map<String, Long> nids = new HashMap<>();
        boolean headMoved = true;
        java.util.Set<String> claimed = new java.util.HashSet<>();
        List<String[]> redactions = new ArrayList<>();
        try (PreparedStatement ps = Sql.bind(tx, sql.toString(), args.toArray()); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                switch (rs.getString(1)) {
                    case "e" -> nids.put(rs.getString(2), rs.getLong(4));
                    case "h" -> headMoved = false;
                    case "t" -> claimed.add(rs.getString(2));
                    case "r" -> redactions.add(new String[] {rs.getString(2), rs.getString(3), Long.toString(rs.getLong(4))});
                    default -> throw new SQLException("unexpected row kind " + rs.getString(1));
                }
            }
        }
        List<TxnId> taken = new ArrayList<>();
        for (TxnId t : txns) {
            if (!claimed.contains(t.eventId())) taken.add(t);
        }
        redactions.sort(java.util.Comparator.comparingLong(r -> Long.parseLong(r[2])));
        Map<String, List<String>> earlier = new HashMap<>();
        for (String[] r : redactions) earlier.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r[1]);
        Map<String, Long> ordered = new LinkedHashMap<>();
        for (Event e : events) ordered.put(e.eventId(), nids.get(e.eventId()));
        return new Result(ordered, taken, headMoved, earlier);
    }

    private static String marks(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }
}
