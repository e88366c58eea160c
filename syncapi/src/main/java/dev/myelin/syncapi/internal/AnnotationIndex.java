package dev.myelin.syncapi.internal;

import dev.myelin.clientapi.routing.Annotations;
import dev.myelin.platform.db.Database;
import dev.myelin.syncapi.storage.RelationsTable;
import dev.myelin.syncapi.storage.RoomEventsTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Answers the send endpoint's duplicate-annotation question from sync's relations index (a redacted annotation
 * has left it). Waits for the index to catch up first, so an annotation sent a moment ago counts.
 */
final class AnnotationIndex implements Annotations {
    private final Database db;
    private final RoomEventSource events;
    private final RoomIndexer indexer;
    private final Duration wait;

    AnnotationIndex(Database db, RoomEventSource events, RoomIndexer indexer, Duration wait) {
        this.db = db;
        this.events = events;
        this.indexer = indexer;
        this.wait = wait;
    }

    @Override
    public boolean alreadySent(Annotation a) {
        indexer.awaitCaughtUp(wait);
        List<Long> candidates = db.read(c -> {
            List<Long> nids = new ArrayList<>();
            for (RelationsTable.Row row : RelationsTable.annotationsBy(c, a.roomId(), a.relatesTo(), a.sender(), a.eventType())) {
                Optional<RoomEventsTable.Row> indexed = RoomEventsTable.byEventId(c, row.eventId());
                // why: the client retrying the request that sent it gets its event back from the roomserver, not an error
                if (indexed.isPresent() && a.txnId() != null && a.txnId().equals(indexed.get().txnId())
                        && a.deviceId() != null && a.deviceId().equals(indexed.get().deviceId())) {
                    return List.of();
                }
                nids.add(row.eventNid());
            }
            return nids;
        });
        for (long nid : candidates) {
            Optional<String> key = events.clientEvent(nid)
                    .map(e -> e.path("content").path("m.relates_to").path("key").asString(null));
            if (key.isPresent() && a.key().equals(key.get())) return true;
        }
        return false;
    }
}
