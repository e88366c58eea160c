package dev.myelin.syncapi.internal;

import dev.myelin.syncapi.storage.StateTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A room's state at a stream position, or what of it changed between two positions, from sync's state index. */
final class RoomState {
    private RoomState() {}

    /**
     * With {@code since} 0, the whole state at {@code at}; otherwise the keys that changed in {@code (since, at]}
     * with their value at {@code at} (removals as entries without event). Keyed by type and state key.
     */
    static Map<String, StateTables.Entry> delta(Connection c, String roomId, long since, long at) throws SQLException {
        Map<String, StateTables.Entry> values = new LinkedHashMap<>();
        if (since == 0 && at >= StateTables.lastChange(c, roomId)) {
            for (StateTables.Entry e : StateTables.current(c, roomId)) values.put(key(e), e);
        } else if (since < at) {
            for (StateTables.Entry e : StateTables.changes(c, roomId, since, at)) values.put(key(e), e);
        }
        return values;
    }

    static String key(StateTables.Entry e) {
        return key(e.type(), e.stateKey());
    }

    static String key(String type, String stateKey) {
        return type + '\0' + stateKey;
    }
}
