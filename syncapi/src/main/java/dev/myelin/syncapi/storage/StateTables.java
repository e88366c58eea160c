package dev.myelin.syncapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * {@code sync_state_changes} (each change of a room's current state, at the sync position it happened) and
 * {@code sync_current_state} (the latest value per key, for fast reads). Together they answer "state at
 * position P" for initial syncs, gappy syncs and left rooms, and "membership of user U" without event JSON.
 */
public final class StateTables {

    /** One state entry: the event that holds {@code (type, stateKey)}, or a removal when {@code eventNid} is null. */
    public record Entry(String roomId, String type, String stateKey, long pos, Long eventNid, String eventId,
                        String membership, String sender) {}

    private StateTables() {}

    /** Records that {@code (type, stateKey)} holds {@code eventNid} from {@code pos} on, or was removed (null). */
    /** The content values the current-state index keeps for the user directory (all null for other events). */
    public record Extra(String historyVisibility, String displayName, String avatarUrl, String joinRule) {
        public static final Extra NONE = new Extra(null, null, null, null);
    }

    public static void change(Connection tx, Entry e, Extra extra) throws SQLException {
        String historyVisibility = extra.historyVisibility();
        Sql.update(tx, "INSERT INTO sync_state_changes (room_id, type, state_key, pos, event_nid, event_id, membership, sender, "
                        + "history_visibility) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (room_id, type, state_key, pos) "
                        + "DO UPDATE SET event_nid = excluded.event_nid, event_id = excluded.event_id, "
                        + "membership = excluded.membership, sender = excluded.sender, "
                        + "history_visibility = excluded.history_visibility",
                e.roomId(), e.type(), e.stateKey(), e.pos(), e.eventNid(), e.eventId(), e.membership(), e.sender(),
                historyVisibility);
        if (e.eventNid() == null) {
            Sql.update(tx, "DELETE FROM sync_current_state WHERE room_id = ? AND type = ? AND state_key = ?",
                    e.roomId(), e.type(), e.stateKey());
        } else {
            Sql.update(tx, "INSERT INTO sync_current_state (room_id, type, state_key, pos, event_nid, event_id, membership, sender, "
                            + "display_name, avatar_url, join_rule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                            + "ON CONFLICT (room_id, type, state_key) DO UPDATE SET "
                            + "pos = excluded.pos, event_nid = excluded.event_nid, event_id = excluded.event_id, "
                            + "membership = excluded.membership, sender = excluded.sender, display_name = excluded.display_name, "
                            + "avatar_url = excluded.avatar_url, join_rule = excluded.join_rule",
                    e.roomId(), e.type(), e.stateKey(), e.pos(), e.eventNid(), e.eventId(), e.membership(), e.sender(),
                    extra.displayName(), extra.avatarUrl(), extra.joinRule());
        }
    }

    /** The room's current state. */
    public static List<Entry> current(Connection c, String roomId) throws SQLException {
        return Sql.list(c, "SELECT room_id, type, state_key, pos, event_nid, event_id, membership, sender FROM sync_current_state "
                + "WHERE room_id = ?", StateTables::entry, roomId);
    }

    /** The room's current state without the member events of users other than {@code members} (lazy loading). */
    public static List<Entry> currentWithMembers(Connection c, String roomId, java.util.Collection<String> members)
            throws SQLException {
        List<Object> params = new java.util.ArrayList<>();
        params.add(roomId);
        params.addAll(members);
        String in = members.isEmpty() ? "" : " OR state_key IN (" + String.join(", ", java.util.Collections.nCopies(members.size(), "?")) + ")";
        return Sql.list(c, "SELECT room_id, type, state_key, pos, event_nid, event_id, membership, sender FROM sync_current_state "
                + "WHERE room_id = ? AND (type <> 'm.room.member'" + in + ")", StateTables::entry, params.toArray());
    }

    /** The current value of one key. */
    public static Optional<Entry> current(Connection c, String roomId, String type, String stateKey) throws SQLException {
        return Sql.one(c, "SELECT room_id, type, state_key, pos, event_nid, event_id, membership, sender FROM sync_current_state "
                + "WHERE room_id = ? AND type = ? AND state_key = ?", StateTables::entry, roomId, type, stateKey);
    }

    /** The position of the room's latest state change, 0 if none. */
    public static long lastChange(Connection c, String roomId) throws SQLException {
        return Sql.one(c, "SELECT MAX(pos) FROM sync_state_changes WHERE room_id = ?", rs -> rs.getLong(1), roomId)
                .orElse(0L);
    }

    /** Changes of the room with {@code after < pos <= upTo}, in position order. */
    public static List<Entry> changes(Connection c, String roomId, long after, long upTo) throws SQLException {
        return Sql.list(c, "SELECT room_id, type, state_key, pos, event_nid, event_id, membership, sender FROM sync_state_changes "
                + "WHERE room_id = ? AND pos > ? AND pos <= ? ORDER BY pos", StateTables::entry, roomId, after, upTo);
    }

    /** The value of one key at position {@code at} (the last change at or before it), if any. */
    public static Optional<Entry> at(Connection c, String roomId, String type, String stateKey, long at)
            throws SQLException {
        return Sql.one(c, "SELECT room_id, type, state_key, pos, event_nid, event_id, membership, sender FROM sync_state_changes "
                + "WHERE room_id = ? AND type = ? AND state_key = ? AND pos <= ? ORDER BY pos DESC LIMIT 1",
                StateTables::entry, roomId, type, stateKey, at);
    }

    /** Every room where {@code userId} currently has a membership, with it. */
    public static List<Entry> membershipsOf(Connection c, String userId) throws SQLException {
        return Sql.list(c, "SELECT room_id, type, state_key, pos, event_nid, event_id, membership, sender FROM sync_current_state "
                + "WHERE state_key = ? AND type = 'm.room.member'", StateTables::entry, userId);
    }

    /** Changes of {@code userId}'s membership in any room with {@code after < pos <= upTo}, in position order. */
    public static List<Entry> membershipChanges(Connection c, String userId, long after, long upTo) throws SQLException {
        return Sql.list(c, "SELECT room_id, type, state_key, pos, event_nid, event_id, membership, sender FROM sync_state_changes "
                + "WHERE state_key = ? AND type = 'm.room.member' AND pos > ? AND pos <= ? ORDER BY pos",
                StateTables::entry, userId, after, upTo);
    }

    /** Current members of the room with one of the given memberships (user IDs, oldest membership first). */
    public static List<String> members(Connection c, String roomId, String membership) throws SQLException {
        return Sql.list(c, "SELECT state_key FROM sync_current_state WHERE room_id = ? AND type = 'm.room.member' "
                + "AND membership = ? ORDER BY pos", rs -> rs.getString(1), roomId, membership);
    }

    /** How many members the room has with each membership. */
    public static java.util.Map<String, Integer> memberCounts(Connection c, String roomId) throws SQLException {
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        for (Object[] row : Sql.list(c, "SELECT membership, COUNT(*) FROM sync_current_state WHERE room_id = ? "
                + "AND type = 'm.room.member' GROUP BY membership", rs -> new Object[] {rs.getString(1), rs.getInt(2)}, roomId)) {
            out.put((String) row[0], (Integer) row[1]);
        }
        return out;
    }

    /** Up to {@code limit} members with {@code membership} other than {@code except}, oldest membership first. */
    public static List<String> someMembers(Connection c, String roomId, String membership, String except, int limit)
            throws SQLException {
        return Sql.list(c, "SELECT state_key FROM sync_current_state WHERE room_id = ? AND type = 'm.room.member' "
                + "AND membership = ? AND state_key <> ? ORDER BY pos LIMIT ?", rs -> rs.getString(1), roomId, membership,
                except, limit);
    }

    /** Rooms where the user currently has {@code membership}. */
    public static List<String> roomsWith(Connection c, String userId, String membership) throws SQLException {
        return Sql.list(c, "SELECT room_id FROM sync_current_state WHERE state_key = ? AND type = 'm.room.member' "
                + "AND membership = ?", rs -> rs.getString(1), userId, membership);
    }

    // ---- the same reads for many rooms at once (an initial sync of a user in many rooms)

    private static final String ENTRY_COLUMNS = "room_id, type, state_key, pos, event_nid, event_id, membership, sender";

    /** {@link #visibilityChanges(Connection, String, String)} of each room, in position order. */
    public static java.util.Map<String, List<Entry>> visibilityChanges(Connection c, java.util.Collection<String> roomIds,
                                                                      String userId) throws SQLException {
        java.util.Map<String, List<Entry>> out = new java.util.HashMap<>();
        // why: two lookups on the primary key (room, type, state key) instead of one OR, which both engines answer by
        // scanning every state change of each room (all its joins)
        String columns = "SELECT room_id, type, state_key, pos, event_nid, event_id, COALESCE(membership, history_visibility), "
                + "sender FROM sync_state_changes WHERE room_id IN (";
        for (List<String> chunk : Sql.chunks(roomIds)) {
            List<Object> params = new java.util.ArrayList<>(chunk);
            for (Entry e : Sql.list(c, columns + Sql.marks(chunk.size()) + ") AND type = 'm.room.history_visibility' "
                    + "AND state_key = ''", StateTables::entry, params.toArray())) {
                out.computeIfAbsent(e.roomId(), k -> new java.util.ArrayList<>()).add(e);
            }
            params.add(userId);
            for (Entry e : Sql.list(c, columns + Sql.marks(chunk.size()) + ") AND type = 'm.room.member' AND state_key = ?",
                    StateTables::entry, params.toArray())) {
                out.computeIfAbsent(e.roomId(), k -> new java.util.ArrayList<>()).add(e);
            }
        }
        for (List<Entry> changes : out.values()) changes.sort(java.util.Comparator.comparingLong(Entry::pos));
        return out;
    }

    /** {@link #lastChange} of each room (rooms without state changes are absent). */
    public static java.util.Map<String, Long> lastChanges(Connection c, java.util.Collection<String> roomIds) throws SQLException {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        for (List<String> chunk : Sql.chunks(roomIds)) {
            for (Object[] row : Sql.list(c, "SELECT room_id, MAX(pos) FROM sync_state_changes WHERE room_id IN ("
                    + Sql.marks(chunk.size()) + ") GROUP BY room_id", rs -> new Object[] {rs.getString(1), rs.getLong(2)},
                    chunk.toArray())) {
                out.put((String) row[0], (Long) row[1]);
            }
        }
        return out;
    }

    /** The current state of each room without its member events. */
    public static java.util.Map<String, List<Entry>> currentWithoutMembers(Connection c, java.util.Collection<String> roomIds)
            throws SQLException {
        java.util.Map<String, List<Entry>> out = new java.util.HashMap<>();
        for (List<String> chunk : Sql.chunks(roomIds)) {
            for (Entry e : Sql.list(c, "SELECT " + ENTRY_COLUMNS + " FROM sync_current_state WHERE room_id IN ("
                    + Sql.marks(chunk.size()) + ") AND type <> 'm.room.member'", StateTables::entry, chunk.toArray())) {
                out.computeIfAbsent(e.roomId(), k -> new java.util.ArrayList<>()).add(e);
            }
        }
        return out;
    }

    /** The current member events of {@code members} in the room. */
    public static List<Entry> currentMembers(Connection c, String roomId, java.util.Collection<String> members)
            throws SQLException {
        if (members.isEmpty()) return List.of();
        List<Object> params = new java.util.ArrayList<>();
        params.add(roomId);
        params.addAll(members);
        return Sql.list(c, "SELECT " + ENTRY_COLUMNS + " FROM sync_current_state WHERE room_id = ? AND type = 'm.room.member' "
                + "AND state_key IN (" + Sql.marks(members.size()) + ")", StateTables::entry, params.toArray());
    }

    /** {@link #memberCounts(Connection, String)} of each room. */
    public static java.util.Map<String, java.util.Map<String, Integer>> memberCounts(Connection c,
            java.util.Collection<String> roomIds) throws SQLException {
        java.util.Map<String, java.util.Map<String, Integer>> out = new java.util.HashMap<>();
        for (List<String> chunk : Sql.chunks(roomIds)) {
            for (Object[] row : Sql.list(c, "SELECT room_id, membership, COUNT(*) FROM sync_current_state WHERE room_id IN ("
                    + Sql.marks(chunk.size()) + ") AND type = 'm.room.member' GROUP BY room_id, membership",
                    rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getInt(3)}, chunk.toArray())) {
                out.computeIfAbsent((String) row[0], k -> new java.util.HashMap<>()).put((String) row[1], (Integer) row[2]);
            }
        }
        return out;
    }

    private static Entry entry(java.sql.ResultSet rs) throws SQLException {
        long nid = rs.getLong(5);
        Long eventNid = rs.wasNull() ? null : nid;
        return new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), eventNid, rs.getString(6),
                rs.getString(7), rs.getString(8));
    }

    /**
     * The room's {@code m.room.history_visibility} changes and {@code userId}'s membership changes, in position
     * order: what deciding which events the user may see needs.
     */
    public static List<Entry> visibilityChanges(Connection c, String roomId, String userId) throws SQLException {
        return Sql.list(c, "SELECT room_id, type, state_key, pos, event_nid, event_id, "
                + "COALESCE(membership, history_visibility), sender FROM sync_state_changes WHERE room_id = ? AND "
                + "((type = 'm.room.history_visibility' AND state_key = '') OR (type = 'm.room.member' AND state_key = ?)) "
                + "ORDER BY pos", StateTables::entry, roomId, userId);
    }

    /** A user the directory may show: ID, display name and avatar (from one of their member events). */
    public record DirectoryUser(String userId, String displayName, String avatarUrl) {}

    /**
     * Users joined to a room shared with {@code searcher} or to a public room whose ID or display name contains
     * {@code term} (lower case), at most {@code limit} rows (a user may appear once per room).
     */
    public static List<DirectoryUser> searchDirectory(Connection c, String searcher, String term, int limit)
            throws SQLException {
        String like = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return Sql.list(c, "SELECT m.state_key, m.display_name, m.avatar_url FROM sync_current_state m "
                + "WHERE m.type = 'm.room.member' AND m.membership = 'join' "
                + "AND (LOWER(m.state_key) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(m.display_name, '')) LIKE ? ESCAPE '\\') "
                + "AND (m.room_id IN (SELECT room_id FROM sync_current_state WHERE type = 'm.room.member' "
                + "AND state_key = ? AND membership = 'join') OR m.room_id IN (SELECT room_id FROM sync_current_state "
                + "WHERE type = 'm.room.join_rules' AND state_key = '' AND join_rule = 'public')) "
                + "ORDER BY m.state_key LIMIT ?",
                rs -> new DirectoryUser(rs.getString(1), rs.getString(2), rs.getString(3)), like, like, searcher, limit);
    }

    /** Whether both users are joined to at least one common room. */
    public static boolean shareARoom(Connection c, String userA, String userB) throws SQLException {
        return Sql.one(c, "SELECT 1 FROM sync_current_state a JOIN sync_current_state b ON a.room_id = b.room_id "
                + "WHERE a.type = 'm.room.member' AND a.state_key = ? AND a.membership = 'join' "
                + "AND b.type = 'm.room.member' AND b.state_key = ? AND b.membership = 'join' LIMIT 1",
                rs -> Boolean.TRUE, userA, userB).isPresent();
    }
}
