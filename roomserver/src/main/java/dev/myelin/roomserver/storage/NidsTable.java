package dev.myelin.roomserver.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Numeric IDs of event types ({@code roomserver_event_types}) and state keys ({@code roomserver_state_keys}):
 * the same shape twice, so one class serves both.
 */
public final class NidsTable {
    /** Event types; the common ones have fixed NIDs (see the migration). */
    public static final NidsTable EVENT_TYPES = new NidsTable("roomserver_event_types", "event_type_nid", "event_type");
    /** State keys; the empty state key is NID 1. */
    public static final NidsTable STATE_KEYS = new NidsTable("roomserver_state_keys", "state_key_nid", "state_key");

    private final String insert;
    private final String byName;
    private final String byNid;

    private NidsTable(String table, String nid, String name) {
        this.insert = "INSERT INTO " + table + " (" + name + ") VALUES (?) ON CONFLICT (" + name + ") DO NOTHING";
        this.byName = "SELECT " + nid + " FROM " + table + " WHERE " + name + " = ?";
        this.byNid = "SELECT " + name + " FROM " + table + " WHERE " + nid + " = ?";
    }

    /** The NID of {@code name}, assigned now if it has none. */
    public long assign(Connection tx, String name) throws SQLException {
        Optional<Long> found = find(tx, name);
        if (found.isPresent()) return found.get();
        Sql.update(tx, insert, name);
        return find(tx, name).orElseThrow(() -> new SQLException("no NID after insert of " + name));
    }

    public Optional<Long> find(Connection c, String name) throws SQLException {
        return Sql.one(c, byName, rs -> rs.getLong(1), name);
    }

    public Optional<String> name(Connection c, long nid) throws SQLException {
        return Sql.one(c, byNid, rs -> rs.getString(1), nid);
    }
}
