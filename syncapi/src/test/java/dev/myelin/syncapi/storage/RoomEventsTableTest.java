package dev.myelin.syncapi.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.util.List;

/** Appending to sync's room event index: next position, never twice, with its search entry, on both dialects. */
@DatabaseComponent("syncapi")
class RoomEventsTableTest {

    private static RoomEventsTable.Row row(String eventId) {
        return new RoomEventsTable.Row(0, "!r:test.local", eventId, 7, "m.room.message", null, "@a:test.local", true,
                "DEV", "txn1");
    }

    private static long search(Database db, String word) {
        return db.read(c -> SearchTable.count(c, db.dialect(), List.of("!r:test.local"), List.of(word), List.of("content.body")));
    }

    @DatabaseTest
    void appendsAtTheNextPositionOnceWithItsSearchEntry(Database db) {
        long first = db.write(c -> RoomEventsTable.append(c, db.dialect(), row("$a"),
                new RoomEventsTable.SearchText("content.body", "hello world")));
        long second = db.write(c -> RoomEventsTable.append(c, db.dialect(), row("$b"), null));
        assertThat(first).isEqualTo(1);
        assertThat(second).isEqualTo(2);
        assertThat(search(db, "hello")).isEqualTo(1);

        long again = db.write(c -> RoomEventsTable.append(c, db.dialect(), row("$a"),
                new RoomEventsTable.SearchText("content.body", "hello again")));
        assertThat(again).as("indexed before: nothing changes").isZero();
        assertThat(db.read(RoomEventsTable::head)).isEqualTo(2);
        assertThat(search(db, "again")).isZero();
        RoomEventsTable.Row stored = db.read(c -> RoomEventsTable.byEventId(c, "$a").orElseThrow());
        assertThat(stored).isEqualTo(new RoomEventsTable.Row(1, "!r:test.local", "$a", 7, "m.room.message", null,
                "@a:test.local", true, "DEV", "txn1"));
    }
}
