package dev.myelin.roomserver.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.DatabaseException;
import dev.myelin.platform.db.GroupCommit;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.room.RoomVersions;
import dev.myelin.roomserver.api.EventStore;
import dev.myelin.roomserver.api.StoredEvent;
import dev.myelin.roomserver.storage.EventsTable;
import dev.myelin.roomserver.storage.NidsTable;
import dev.myelin.roomserver.storage.RoomsTable;
import dev.myelin.roomserver.storage.StateTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The roomserver's read side over its tables, with caches: rooms, room heads, events by NID and ID, state
 * snapshots, and the names behind type and state key NIDs. Caches hold only committed data: the input lane
 * adds what it wrote after its transaction commits.
 */
final class RoomGraph implements EventStore {
    private final Database db;
    private final Cache<String, RoomInfo> roomsById = Caffeine.newBuilder().maximumSize(50_000).build();
    private final Cache<Long, RoomInfo> roomsByNid = Caffeine.newBuilder().maximumSize(50_000).build();
    // why: heads are replaced only by the room's lane; a missing head is loaded from the rooms row
    private final Map<Long, RoomHead> heads = new ConcurrentHashMap<>();
    private final Cache<Long, StoredEvent> eventsByNid = Caffeine.newBuilder().maximumSize(100_000).build();
    private final Cache<String, Long> nidsByEventId = Caffeine.newBuilder().maximumSize(100_000).build();
    // why: weighed by state size, so a few huge rooms cannot fill memory with their many snapshots
    private final Cache<Long, Snapshot> snapshots = Caffeine.newBuilder().maximumWeight(2_000_000)
            .weigher((Long nid, Snapshot s) -> 1 + s.state().size()).build();
    private final Cache<String, Long> typeNids = Caffeine.newBuilder().maximumSize(10_000).build();
    private final Cache<Long, String> typeNames = Caffeine.newBuilder().maximumSize(10_000).build();
    private final Cache<String, Long> keyNids = Caffeine.newBuilder().maximumSize(200_000).build();
    private final Cache<Long, String> keyNames = Caffeine.newBuilder().maximumSize(200_000).build();

    private final GroupCommit inputCommits;

    RoomGraph(Database db) {
        this.db = db;
        this.inputCommits = new GroupCommit(db);
    }

    Database db() {
        return db;
    }

    /** Where the input lanes write their events: concurrent rooms' events share a commit (see {@link GroupCommit}). */
    GroupCommit inputCommits() {
        return inputCommits;
    }

    // ---- rooms

    Optional<RoomInfo> room(String roomId) {
        RoomInfo cached = roomsById.getIfPresent(roomId);
        if (cached != null) return Optional.of(cached);
        return db.read(c -> room(c, roomId));
    }

    Optional<RoomInfo> room(Connection c, String roomId) throws SQLException {
        RoomInfo cached = roomsById.getIfPresent(roomId);
        if (cached != null) return Optional.of(cached);
        Optional<RoomsTable.RoomRow> row = RoomsTable.byId(c, roomId);
        row.ifPresent(r -> remember(info(r)));
        return row.map(RoomGraph::info);
    }

    RoomInfo room(Connection c, long roomNid) throws SQLException {
        RoomInfo cached = roomsByNid.getIfPresent(roomNid);
        if (cached != null) return cached;
        RoomInfo info = info(RoomsTable.byNid(c, roomNid).orElseThrow(() -> new SQLException("no room " + roomNid)));
        remember(info);
        return info;
    }

    void remember(RoomInfo info) {
        roomsById.put(info.roomId(), info);
        roomsByNid.put(info.roomNid(), info);
    }

    private static RoomInfo info(RoomsTable.RoomRow r) {
        return new RoomInfo(r.roomNid(), r.roomId(), RoomVersions.get(r.roomVersion()));
    }

    /** The room's head; loaded from storage the first time. Call from the room's lane when about to write. */
    RoomHead head(RoomInfo room) {
        RoomHead head = heads.get(room.roomNid());
        if (head != null) return head;
        return db.read(c -> {
            RoomsTable.RoomRow r = RoomsTable.byNid(c, room.roomNid()).orElseThrow();
            List<String> ids = new java.util.ArrayList<>();
            for (long nid : r.latestEventNids()) ids.add(event(c, nid).eventId());
            RoomHead h = new RoomHead(room, r.latestEventNids(), ids, r.stateSnapshotNid(), r.maxDepth());
            heads.put(room.roomNid(), h);
            return h;
        });
    }

    void setHead(RoomHead head) {
        heads.put(head.room().roomNid(), head);
    }

    void forgetHead(long roomNid) {
        heads.remove(roomNid);
    }

    // ---- events

    @Override
    public java.util.Set<String> forgottenRooms(String userId) {
        return java.util.Set.copyOf(db.read(c -> dev.myelin.roomserver.storage.MembershipTable.forgottenRooms(c, userId)));
    }

    @Override
    public long outputPosition() {
        return db.read(c -> dev.myelin.platform.stream.StreamTables.head(c, dev.myelin.roomserver.api.OutputRoomEvent.STREAM));
    }

    @Override
    public Optional<StoredEvent> event(String eventId) {
        Long nid = nidsByEventId.getIfPresent(eventId);
        if (nid != null) return event((long) nid);
        return db.read(c -> event(c, eventId));
    }

    @Override
    public Optional<StoredEvent> event(long eventNid) {
        StoredEvent cached = eventsByNid.getIfPresent(eventNid);
        if (cached != null) return Optional.of(cached);
        return db.read(c -> EventsTable.byNid(c, eventNid).isPresent() ? Optional.of(event(c, eventNid)) : Optional.empty());
    }

    @Override
    public Map<Long, StoredEvent> events(java.util.Collection<Long> eventNids) {
        Map<Long, StoredEvent> out = new HashMap<>();
        java.util.Set<Long> unread = new java.util.LinkedHashSet<>();
        for (Long nid : eventNids) {
            StoredEvent cached = eventsByNid.getIfPresent(nid);
            if (cached != null) out.put(nid, cached);
            else unread.add(nid);
        }
        List<Long> missing = List.copyOf(unread);
        if (missing.isEmpty()) return out;
        db.read(c -> {
            for (int i = 0; i < missing.size(); i += 500) {
                for (EventsTable.EventRow row : EventsTable.byNids(c, missing.subList(i, Math.min(missing.size(), i + 500)))) {
                    out.put(row.eventNid(), remember(c, row));
                }
            }
            return null;
        });
        return out;
    }

    Optional<StoredEvent> event(Connection c, String eventId) throws SQLException {
        Long nid = nidsByEventId.getIfPresent(eventId);
        if (nid != null) return Optional.of(event(c, nid));
        Optional<EventsTable.EventRow> row = EventsTable.byId(c, eventId);
        if (row.isEmpty()) return Optional.empty();
        return Optional.of(remember(c, row.get()));
    }

    StoredEvent event(Connection c, long eventNid) throws SQLException {
        StoredEvent cached = eventsByNid.getIfPresent(eventNid);
        if (cached != null) return cached;
        return remember(c, EventsTable.byNid(c, eventNid).orElseThrow(() -> new SQLException("no event " + eventNid)));
    }

    /** The state snapshot before an event (its row's snapshot NID). */
    long stateBefore(Connection c, String eventId) throws SQLException {
        return EventsTable.byId(c, eventId).orElseThrow().stateSnapshotNid();
    }

    private StoredEvent remember(Connection c, EventsTable.EventRow row) throws SQLException {
        RoomInfo room = room(c, row.roomNid());
        Pdu pdu = Pdu.parse(room.version(), row.eventId(), ProtocolJson.parseObject(room.version(), row.json()));
        StoredEvent e = new StoredEvent(row.eventNid(), pdu, row.redactedBy());
        eventsByNid.put(e.eventNid(), e);
        nidsByEventId.put(e.eventId(), e.eventNid());
        return e;
    }

    /** Adds a committed event to the caches. */
    void remember(StoredEvent e) {
        eventsByNid.put(e.eventNid(), e);
        nidsByEventId.put(e.eventId(), e.eventNid());
    }

    /** Drops a cached event whose row changed (a redaction was applied). */
    void forgetEvent(long eventNid) {
        eventsByNid.invalidate(eventNid);
    }

    // ---- state

    Snapshot snapshot(long snapshotNid) {
        Snapshot cached = snapshots.getIfPresent(snapshotNid);
        if (cached != null) return cached;
        return db.read(c -> snapshot(c, snapshotNid));
    }

    Snapshot snapshot(Connection c, long snapshotNid) throws SQLException {
        if (snapshotNid == 0) return Snapshot.EMPTY;
        Snapshot cached = snapshots.getIfPresent(snapshotNid);
        if (cached != null) return cached;
        List<Long> blocks = StateTable.snapshotBlocks(c, snapshotNid);
        Map<StateKey, StateTable.Entry> state = new HashMap<>();
        for (long block : blocks) {
            for (StateTable.Entry e : StateTable.blockEntries(c, block)) {
                state.put(new StateKey(typeName(c, e.typeNid()), keyName(c, e.stateKeyNid())), e);
            }
        }
        Snapshot s = new Snapshot(snapshotNid, List.copyOf(blocks), Map.copyOf(state));
        snapshots.put(snapshotNid, s);
        return s;
    }

    void remember(Snapshot s) {
        snapshots.put(s.nid(), s);
    }

    /** The events of a state, by key. */
    Map<StateKey, StoredEvent> events(Connection c, Snapshot s) throws SQLException {
        Map<StateKey, StoredEvent> out = new HashMap<>();
        for (Map.Entry<StateKey, StateTable.Entry> e : s.state().entrySet()) {
            out.put(e.getKey(), event(c, e.getValue().eventNid()));
        }
        return out;
    }

    // ---- NIDs of names

    String typeName(Connection c, long nid) throws SQLException {
        String cached = typeNames.getIfPresent(nid);
        if (cached != null) return cached;
        String name = NidsTable.EVENT_TYPES.name(c, nid).orElseThrow(() -> new SQLException("no event type " + nid));
        typeNames.put(nid, name);
        typeNids.put(name, nid);
        return name;
    }

    String keyName(Connection c, long nid) throws SQLException {
        String cached = keyNames.getIfPresent(nid);
        if (cached != null) return cached;
        String name = NidsTable.STATE_KEYS.name(c, nid).orElseThrow(() -> new SQLException("no state key " + nid));
        keyNames.put(nid, name);
        keyNids.put(name, nid);
        return name;
    }

    /**
     * The NID of an event type, assigned in {@code tx} if new. why: a NID assigned in a transaction that rolls
     * back does not exist, so new ones are only cached through {@link #rememberNames} after the commit.
     */
    long assignType(Connection tx, String type) throws SQLException {
        Long cached = typeNids.getIfPresent(type);
        return cached != null ? cached : NidsTable.EVENT_TYPES.assign(tx, type);
    }

    long assignKey(Connection tx, String stateKey) throws SQLException {
        Long cached = keyNids.getIfPresent(stateKey);
        return cached != null ? cached : NidsTable.STATE_KEYS.assign(tx, stateKey);
    }

    void rememberNames(Map<String, Long> types, Map<String, Long> keys) {
        types.forEach((n, nid) -> { typeNids.put(n, nid); typeNames.put(nid, n); });
        keys.forEach((n, nid) -> { keyNids.put(n, nid); keyNames.put(nid, n); });
    }

    static RuntimeException unchecked(SQLException e) {
        return new DatabaseException(e.getMessage(), e);
    }
}
