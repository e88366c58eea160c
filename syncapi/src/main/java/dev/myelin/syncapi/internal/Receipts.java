package dev.myelin.syncapi.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.stream.StreamProducer;
import dev.myelin.syncapi.storage.CountersTable;
import dev.myelin.syncapi.storage.ReceiptsTable;
import dev.myelin.syncapi.storage.RelationsTable;
import dev.myelin.syncapi.storage.RoomEventsTable;
import dev.myelin.syncapi.storage.StateTables;
import dev.myelin.userapi.api.OutputReceiptEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Read receipts (https://spec.matrix.org/v1.19/client-server-api/#receipts): {@code m.read} and
 * {@code m.read.private}, unthreaded or per thread, stored in sync's database under the receipts position
 * ({@code c} in sync tokens). A receipt never moves a user's marker backwards in the timeline.
 */
public final class Receipts {
    public static final Set<String> TYPES = Set.of("m.read", "m.read.private");
    static final String COUNTER = "receipts";

    private static final java.time.Duration INDEX_WAIT = java.time.Duration.ofSeconds(5);

    private final Database db;
    private final Clock clock;
    private final RoomIndexer indexer;
    private final Optional<StreamProducer<OutputReceiptEvent>> receiptsOut;

    public Receipts(Database db, Clock clock, RoomIndexer indexer) {
        this(db, clock, indexer, Optional.empty());
    }

    /** @param receiptsOut where receipts go for userapi to mark notifications read (in the receipt's transaction) */
    public Receipts(Database db, Clock clock, RoomIndexer indexer, Optional<StreamProducer<OutputReceiptEvent>> receiptsOut) {
        this.db = db;
        this.clock = clock;
        this.indexer = indexer;
        this.receiptsOut = receiptsOut;
    }

    /**
     * Records {@code userId}'s receipt; 403 unless they are joined, 404 for an event not in the room, 400 for a
     * type this does not handle.
     */
    public void set(String userId, String roomId, String type, String eventId, Optional<String> threadId) {
        if (!TYPES.contains(type)) throw MatrixException.invalidParam("Unknown receipt type " + type);
        indexer.awaitCaughtUp(INDEX_WAIT);
        boolean changed = db.write(tx -> {
            requireJoined(tx, roomId, userId);
            RoomEventsTable.Row event = RoomEventsTable.byEventId(tx, eventId).filter(e -> e.roomId().equals(roomId))
                    .orElseThrow(() -> MatrixException.notFound("No such event in this room"));
            if (threadId.isPresent()) requireInThread(tx, event.eventId(), threadId.get());
            String thread = threadId.orElse("");
            Optional<ReceiptsTable.Row> existing = ReceiptsTable.get(tx, roomId, type, userId, thread);
            if (existing.isPresent()) {
                Optional<RoomEventsTable.Row> previous = RoomEventsTable.byEventId(tx, existing.get().eventId());
                if (previous.isPresent() && previous.get().pos() >= event.pos()) return false;
            }
            long pos = CountersTable.next(tx, COUNTER);
            long ts = clock.millis();
            ReceiptsTable.upsert(tx, new ReceiptsTable.Row(roomId, type, userId, thread, eventId, ts, pos));
            if (receiptsOut.isPresent()) {
                receiptsOut.get().append(tx, userId, new OutputReceiptEvent(userId, roomId, type, eventId, event.eventNid(),
                        threadId.orElse(null), ts));
            }
            return true;
        });
        if (changed) indexer.wakeRoom(roomId);
    }

    /**
     * A threaded receipt names {@code main} or the root of the thread its event is in: the root itself, a reply in
     * the thread, or an event relating to one of those (a reaction, an edit). Anything else is 400 (spec: receipts).
     */
    private static void requireInThread(Connection c, String eventId, String threadId) throws SQLException {
        if (threadId.isEmpty()) throw MatrixException.invalidParam("thread_id field must be a non-empty string");
        if (threadId.equals("main") || threadId.equals(eventId)) return;
        Optional<RelationsTable.Row> relation = RelationsTable.of(c, eventId);
        for (int hop = 0; hop < 2 && relation.isPresent(); hop++) {
            RelationsTable.Row r = relation.get();
            if (r.relatesTo().equals(threadId) && (r.relType().equals("m.thread") || hop == 0)) return;
            relation = RelationsTable.of(c, r.relatesTo());
        }
        throw MatrixException.invalidParam("The event " + eventId + " is not in the thread " + threadId);
    }

    static void requireJoined(Connection c, String roomId, String userId) throws SQLException {
        boolean joined = StateTables.current(c, roomId, "m.room.member", userId)
                .map(e -> "join".equals(e.membership())).orElse(false);
        if (!joined) throw MatrixException.forbidden("You are not joined to this room");
    }

    public long position() {
        return db.read(c -> CountersTable.current(c, COUNTER));
    }

    /**
     * The {@code m.receipt} event of {@code roomId} with the receipts in {@code (since, upTo]} that
     * {@code userId} may see (private receipts only their own), or null when there are none.
     */
    static ObjectNode event(Connection c, String roomId, String userId, long since, long upTo) throws SQLException {
        return event(ReceiptsTable.inRoom(c, roomId, since, upTo), userId);
    }

    /** The {@code m.receipt} event of receipts already read, or null when there are none {@code userId} may see. */
    static ObjectNode event(List<ReceiptsTable.Row> rows, String userId) {
        ObjectNode content = JsonNodeFactory.instance.objectNode();
        for (ReceiptsTable.Row r : rows) {
            if (r.receiptType().equals("m.read.private") && !r.userId().equals(userId)) continue;
            ObjectNode receipt = content.withObjectProperty(r.eventId()).withObjectProperty(r.receiptType())
                    .withObjectProperty(r.userId());
            receipt.put("ts", r.ts());
            if (!r.threadId().isEmpty()) receipt.put("thread_id", r.threadId());
        }
        if (content.isEmpty()) return null;
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("type", "m.receipt");
        event.set("content", content);
        return event;
    }
}
