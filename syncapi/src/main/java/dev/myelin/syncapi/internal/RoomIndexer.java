package dev.myelin.syncapi.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.syncapi.storage.RelationsTable;
import dev.myelin.syncapi.storage.RoomEventsTable;
import dev.myelin.syncapi.storage.SearchTable;
import dev.myelin.syncapi.storage.StateTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each {@link NewRoomEvent} into sync's indexes (timeline position, state changes, current state), then
 * wakes the long polls of the room's local members. The event facts are read from the event store BEFORE the
 * transaction (no remote call inside it); applying the same event twice changes nothing.
 */
public final class RoomIndexer {
    private static final Logger log = LoggerFactory.getLogger(RoomIndexer.class);

    private final Database db;
    private final RoomEventSource events;
    private final Notifier notifier;
    private final AtomicLong head = new AtomicLong();
    // why: the read barrier (awaitCaughtUp) compares the roomserver's stream position with what sync has applied
    private final AtomicLong streamApplied = new AtomicLong();
    private final java.util.concurrent.locks.ReentrantLock caughtUpLock = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.Condition caughtUp = caughtUpLock.newCondition();
    // why: whom to wake for a room, without a query per event; loaded per room on first use, kept by the indexer
    private final ConcurrentHashMap<String, Set<String>> interested = new ConcurrentHashMap<>();
    private volatile java.util.function.Consumer<String> localSend = user -> {};

    public RoomIndexer(Database db, RoomEventSource events, Notifier notifier) {
        this.db = db;
        this.events = events;
        this.notifier = notifier;
        head.set(db.read(RoomEventsTable::head));
    }

    /** The last room stream position indexed (and committed). */
    public long head() {
        return head.get();
    }

    /** Records that the roomserver's room event stream has been applied up to {@code position}. */
    public void streamApplied(long position) {
        streamApplied.accumulateAndGet(position, Math::max);
        caughtUpLock.lock();
        try {
            caughtUp.signalAll();
        } finally {
            caughtUpLock.unlock();
        }
    }

    /**
     * Waits, at most {@code max}, until this index holds every event the roomserver had stored when called; returns
     * whether it did (a read goes on either way, possibly a little behind).
     * why: sync follows the roomserver through a stream, so a client reading right after its own send (a receipt,
     * /relations of its reaction, /messages) could miss its write, most visibly with JetStream in between.
     */
    public boolean awaitCaughtUp(java.time.Duration max) {
        long target = events.streamPosition();
        if (streamApplied.get() >= target) return true;
        long deadline = System.nanoTime() + max.toNanos();
        caughtUpLock.lock();
        try {
            while (streamApplied.get() < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                caughtUp.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            caughtUpLock.unlock();
        }
    }

    /** Indexes one event (idempotent) and wakes the polls it concerns; returns its position, 0 if already indexed. */
    public long index(NewRoomEvent e) {
        Prepared p = prepare(e);
        long pos = db.write(tx -> apply(tx, p));
        committed(p, pos);
        return pos;
    }

    /** Reads the facts an event needs; throws if the store lacks them (the stream will redeliver). */
    public Prepared prepare(NewRoomEvent e) {
        EventFacts facts = require(e.eventId());
        Map<String, EventFacts> state = new LinkedHashMap<>();
        for (String id : e.removesStateEventIds()) state.put(id, require(id));
        for (String id : e.addsStateEventIds()) state.put(id, id.equals(e.eventId()) ? facts : require(id));
        return new Prepared(e, facts, state);
    }

    /** An event with the facts read from the store, ready to apply. */
    public record Prepared(NewRoomEvent event, EventFacts facts, Map<String, EventFacts> stateFacts) {}

    /**
     * Applies one prepared event in the consumer's transaction; returns its position, or 0 when it was already
     * indexed. Call {@link #committed} after the transaction commits.
     */
    public long apply(Connection tx, Prepared p) throws SQLException {
        NewRoomEvent e = p.event();
        EventFacts f = p.facts();
        boolean searchable = f.searchText() != null && !f.searchText().isBlank();
        long pos = RoomEventsTable.append(tx, db.dialect(), new RoomEventsTable.Row(0, e.roomId(), f.eventId(), f.eventNid(),
                f.type(), f.stateKey(), f.sender(), f.containsUrl(), e.senderDeviceId(), e.transactionId()),
                searchable ? new RoomEventsTable.SearchText(f.searchKey(), f.searchText()) : null);
        if (pos == 0) return 0;
        if (f.relatesTo() != null) {
            RelationsTable.insert(tx, new RelationsTable.Row(f.eventId(), e.roomId(), f.relatesTo(), f.relType(), f.type(),
                    f.sender(), f.eventNid(), pos));
        }
        if (f.redacts() != null) {
            RelationsTable.delete(tx, f.redacts());
            Optional<RoomEventsTable.Row> target = RoomEventsTable.byEventId(tx, f.redacts());
            if (target.isPresent()) SearchTable.delete(tx, db.dialect(), target.get().pos());
        }
        Set<String> addedKeys = new HashSet<>();
        for (String id : e.addsStateEventIds()) {
            EventFacts s = p.stateFacts().get(id);
            addedKeys.add(s.type() + '\0' + s.stateKey());
            StateTables.change(tx, new StateTables.Entry(e.roomId(), s.type(), s.stateKey(), pos, s.eventNid(),
                    s.eventId(), s.membership(), s.sender()),
                    new StateTables.Extra(s.historyVisibility(), s.displayName(), s.avatarUrl(), s.joinRule()));
        }
        for (String id : e.removesStateEventIds()) {
            EventFacts s = p.stateFacts().get(id);
            if (addedKeys.contains(s.type() + '\0' + s.stateKey())) continue;
            StateTables.change(tx, new StateTables.Entry(e.roomId(), s.type(), s.stateKey(), pos, null, null, null, null), StateTables.Extra.NONE);
        }
        return pos;
    }

    /** After the commit of {@link #apply}: publishes the new head and wakes whoever the event concerns. */
    public void committed(Prepared p, long pos) {
        if (pos == 0) return;
        head.accumulateAndGet(pos, Math::max);
        String roomId = p.event().roomId();
        Set<String> members = interested.get(roomId);
        List<String> wake = new ArrayList<>();
        for (EventFacts s : p.stateFacts().values()) {
            if (!"m.room.member".equals(s.type())) continue;
            wake.add(s.stateKey());
            if (members != null) {
                if (s.membership() != null && Set.of("join", "invite", "knock").contains(s.membership())
                        && p.event().addsStateEventIds().contains(s.eventId())) {
                    members.add(s.stateKey());
                } else if (p.event().addsStateEventIds().contains(s.eventId())) {
                    members.remove(s.stateKey());
                }
            }
        }
        Set<String> all = members != null ? members : loadInterested(roomId);
        for (String user : all) notifier.wakeUser(user);
        for (String user : wake) notifier.wakeUser(user);
        log.trace("indexed {} in {} at {}", p.event().eventId(), roomId, pos);
        // why: an event a local client sent is a pro-active event for presence (only local sends carry a device)
        if (p.event().senderDeviceId() != null && p.facts() != null) localSend.accept(p.facts().sender());
    }

    /** Tells {@code listener} the sender of each newly indexed event that a local client sent (presence activity). */
    public void onLocalSend(java.util.function.Consumer<String> listener) {
        this.localSend = listener;
    }

    /** Wakes the long polls of every local member (joined, invited, knocking) of {@code roomId}. */
    public void wakeRoom(String roomId) {
        Set<String> members = interested.get(roomId);
        for (String user : members != null ? members : loadInterested(roomId)) notifier.wakeUser(user);
    }

    private Set<String> loadInterested(String roomId) {
        return interested.computeIfAbsent(roomId, r -> {
            Set<String> users = ConcurrentHashMap.newKeySet();
            db.read(c -> {
                for (String m : List.of("join", "invite", "knock")) users.addAll(StateTables.members(c, r, m));
                return null;
            });
            return users;
        });
    }

    private EventFacts require(String eventId) {
        return events.facts(eventId).orElseThrow(() -> new IllegalStateException(
                "event " + eventId + " is in the room stream but not in the event store"));
    }
}
