package dev.myelin.roomserver.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.util.List;

/** Message events appended in one step: rows, head, transaction IDs and earlier redactions, on both dialects. */
@DatabaseComponent("roomserver")
class MessageAppendTest {

    private static MessageAppend.Event message(String id, long depth) {
        return new MessageAppend.Event(id, 16, depth, 1_000 + depth, "@alice:test.local", "{\"n\":" + depth + "}");
    }

    private static long room(Database db) {
        return db.write(c -> {
            long room = RoomsTable.insert(c, "!room:test.local", "11");
            long first = EventsTable.insert(c, room, "$first", 1, 1, 1, 1, "@alice:test.local", 0, null, "{}");
            RoomsTable.updateHead(c, room, List.of(), List.of(first), 7, 1);
            return room;
        });
    }

    @DatabaseTest
    void storesTheEventsInOrderAndMovesTheHeadToTheLast(Database db) {
        long room = room(db);
        long first = db.read(c -> RoomsTable.byNid(c, room).orElseThrow().latestEventNids().getFirst());
        MessageAppend.Result r = db.write(c -> MessageAppend.append(c, db.dialect(), room, 7,
                List.of(message("$a", 2), message("$b", 3)),
                List.of(new MessageAppend.TxnId("@alice:test.local", "ADEV", "t1", "$b")), List.of(first), 3));
        assertThat(r.headMoved()).isFalse();
        assertThat(r.taken()).isEmpty();
        assertThat(r.earlierRedactions()).isEmpty();
        assertThat(r.eventNids().keySet()).containsExactly("$a", "$b");
        assertThat(r.eventNids().get("$a")).isLessThan(r.eventNids().get("$b"));
        RoomsTable.RoomRow row = db.read(c -> RoomsTable.byNid(c, room).orElseThrow());
        assertThat(row.latestEventNids()).containsExactly(r.eventNids().get("$b"));
        assertThat(row.stateSnapshotNid()).isEqualTo(7);
        assertThat(row.maxDepth()).isEqualTo(3);
        EventsTable.EventRow a = db.read(c -> EventsTable.byId(c, "$a").orElseThrow());
        assertThat(a.stateKeyNid()).isZero();
        assertThat(a.stateSnapshotNid()).isEqualTo(7);
        assertThat(a.json()).isEqualTo("{\"n\":2}");
        assertThat(a.originServerTs()).isEqualTo(1_002);
        assertThat(db.<java.util.Optional<String>>read(c -> TransactionsTable.find(c, "@alice:test.local", "ADEV", "t1"))).contains("$b");
    }

    @DatabaseTest
    void reportsATakenTransactionIdAndAMovedHead(Database db) {
        long room = room(db);
        long first = db.read(c -> RoomsTable.byNid(c, room).orElseThrow().latestEventNids().getFirst());
        db.write(c -> {
            TransactionsTable.insert(c, "@alice:test.local", "ADEV", "t1", "$earlier");
            return null;
        });
        MessageAppend.TxnId taken = new MessageAppend.TxnId("@alice:test.local", "ADEV", "t1", "$a");
        MessageAppend.TxnId fresh = new MessageAppend.TxnId("@alice:test.local", "ADEV", "t2", "$b");
        MessageAppend.Result r = db.write(c -> MessageAppend.append(c, db.dialect(), room, 7,
                List.of(message("$a", 2), message("$b", 3)), List.of(taken, fresh), List.of(first), 3));
        assertThat(r.taken()).containsExactly(taken);

        MessageAppend.Result moved = db.write(c -> MessageAppend.append(c, db.dialect(), room, 7,
                List.of(message("$c", 2)), List.of(), List.of(first + 1000), 2));
        assertThat(moved.headMoved()).as("the head is not the one expected").isTrue();
    }

    @DatabaseTest
    void findsTheRedactionsStoredBeforeTheirTarget(Database db) {
        long room = room(db);
        long first = db.read(c -> RoomsTable.byNid(c, room).orElseThrow().latestEventNids().getFirst());
        db.write(c -> {
            EventsTable.insert(c, room, "$r1", 6, 0, 2, 2, "@alice:test.local", 7, "$b", "{}");
            EventsTable.insert(c, room, "$r2", 6, 0, 2, 2, "@bob:test.local", 7, "$b", "{}");
            EventsTable.insert(c, room + 1, "$elsewhere", 6, 0, 2, 2, "@bob:test.local", 7, "$a", "{}");
            return null;
        });
        MessageAppend.Result r = db.write(c -> MessageAppend.append(c, db.dialect(), room, 7,
                List.of(message("$a", 3), message("$b", 4)), List.of(), List.of(first), 4));
        assertThat(r.earlierRedactions()).as("oldest first, only of this room").containsOnlyKeys("$b");
        assertThat(r.earlierRedactions().get("$b")).containsExactly("$r1", "$r2");
    }
}
