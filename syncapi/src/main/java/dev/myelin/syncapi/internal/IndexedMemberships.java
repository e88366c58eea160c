package dev.myelin.syncapi.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.syncapi.api.SyncMemberships;
import dev.myelin.syncapi.storage.StateTables;
import java.util.Set;

/** {@link SyncMemberships} answered from sync's current-state index. */
public final class IndexedMemberships implements SyncMemberships {
    private final Database db;

    public IndexedMemberships(Database db) {
        this.db = db;
    }

    @Override
    public Set<String> joinedUsers(String roomId) {
        return Set.copyOf(db.read(c -> StateTables.members(c, roomId, "join")));
    }

    @Override
    public Set<String> joinedRooms(String userId) {
        return Set.copyOf(db.read(c -> StateTables.roomsWith(c, userId, "join")));
    }

    @Override
    public boolean shareARoom(String userA, String userB) {
        return db.read(c -> StateTables.shareARoom(c, userA, userB));
    }
}
