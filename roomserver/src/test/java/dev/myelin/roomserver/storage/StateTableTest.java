package dev.myelin.roomserver.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.util.List;

/** State blocks and snapshots are stored once per content, whichever transaction asks first. */
@DatabaseComponent("roomserver")
class StateTableTest {

    @DatabaseTest
    void aBlockOrSnapshotOfStoredContentIsTheStoredOne(Database db) {
        List<StateTable.Entry> entries = List.of(new StateTable.Entry(1, 1, 10), new StateTable.Entry(5, 2, 11));
        long block = db.write(c -> StateTable.block(c, db.dialect(), entries));
        long snapshot = db.write(c -> StateTable.snapshot(c, db.dialect(), 1, List.of(block)));
        // the same content again, in a later transaction and twice in one
        assertThat(db.<Long>write(c -> StateTable.block(c, db.dialect(), entries))).isEqualTo(block);
        long[] both = db.write(c -> new long[] {
                StateTable.snapshot(c, db.dialect(), 1, List.of(block)),
                StateTable.block(c, db.dialect(), List.of(new StateTable.Entry(1, 1, 12))),
                StateTable.block(c, db.dialect(), List.of(new StateTable.Entry(1, 1, 12)))});
        assertThat(both[0]).isEqualTo(snapshot);
        assertThat(both[1]).isEqualTo(both[2]).isNotEqualTo(block);
        assertThat(db.<List<StateTable.Entry>>read(c -> StateTable.blockEntries(c, block))).isEqualTo(entries);
        assertThat(db.<List<Long>>read(c -> StateTable.snapshotBlocks(c, snapshot))).containsExactly(block);
        assertThat(db.<long[]>read(StateTable::counts)).containsExactly(1, 2);
    }
}
