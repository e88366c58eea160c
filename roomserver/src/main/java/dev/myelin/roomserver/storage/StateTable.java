package dev.myelin.roomserver.storage;

import dev.myelin.platform.db.Dialect;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code roomserver_state_blocks} and {@code roomserver_state_snapshots}: a snapshot is an ordered list of blocks,
 * a block a sorted list of (type NID, state key NID, event NID) entries; both are written once per distinct content
 * (deduplicated by the SHA-256 of their text). Snapshot NID 0 is the empty state and has no row.
 */
public final class StateTable {
    private StateTable() {}

    /** One piece of state in a block. */
    public record Entry(long typeNid, long stateKeyNid, long eventNid) {}

    /** The block holding exactly {@code sortedEntries}, written now if no block has that content. */
    public static long block(Connection tx, Dialect dialect, List<Entry> sortedEntries) throws SQLException {
        StringBuilder sb = new StringBuilder();
        for (Entry e : sortedEntries) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(e.typeNid()).append(':').append(e.stateKeyNid()).append(':').append(e.eventNid());
        }
        String text = sb.toString();
        return deduplicated(tx, dialect, "roomserver_state_blocks", "state_block_nid",
                "INSERT INTO roomserver_state_blocks (content_hash, entries) VALUES (?, ?)", sha256(text), text);
    }

    /** The snapshot made of {@code blockNids} in this order, written now if no snapshot has that content. */
    public static long snapshot(Connection tx, Dialect dialect, long roomNid, List<Long> blockNids) throws SQLException {
        if (blockNids.isEmpty()) return 0;
        String text = Sql.joinLongs(blockNids);
        return deduplicated(tx, dialect, "roomserver_state_snapshots", "state_snapshot_nid",
                "INSERT INTO roomserver_state_snapshots (content_hash, room_nid, state_block_nids) VALUES (?, ?, ?)",
                sha256(text), roomNid, text);
    }

    /**
     * Inserts a row deduplicated by its content hash ({@code insert}'s first parameter) unless one with that hash
     * exists, and returns the NID of the row with that hash.
     */
    private static long deduplicated(Connection tx, Dialect dialect, String table, String nidColumn, String insert,
                                     String hash, Object... rest) throws SQLException {
        String select = "SELECT " + nidColumn + " FROM " + table + " WHERE content_hash = ?";
        Object[] values = new Object[rest.length + 1];
        values[0] = hash;
        System.arraycopy(rest, 0, values, 1, rest.length);
        if (dialect == Dialect.POSTGRES) {
            // why: one round trip instead of two. The statement's snapshot is taken before its insert, so the second
            // part finds only a row committed before it; a row a concurrent writer committed while this insert
            // waited for it is in neither part, hence the second look below
            Object[] args = java.util.Arrays.copyOf(values, values.length + 1);
            args[values.length] = hash;
            Optional<Long> nid = Sql.one(tx, "WITH ins AS (" + insert + " ON CONFLICT (content_hash) DO NOTHING RETURNING "
                    + nidColumn + ") SELECT " + nidColumn + " FROM ins UNION ALL " + select, rs -> rs.getLong(1), args);
            if (nid.isPresent()) return nid.get();
        } else {
            Sql.update(tx, insert + " ON CONFLICT (content_hash) DO NOTHING", values);
        }
        return Sql.one(tx, select, rs -> rs.getLong(1), hash)
                .orElseThrow(() -> new SQLException("row of " + table + " vanished"));
    }

    public static List<Long> snapshotBlocks(Connection c, long snapshotNid) throws SQLException {
        if (snapshotNid == 0) return List.of();
        String text = Sql.one(c, "SELECT state_block_nids FROM roomserver_state_snapshots WHERE state_snapshot_nid = ?",
                rs -> rs.getString(1), snapshotNid).orElseThrow(() -> new SQLException("no state snapshot " + snapshotNid));
        return Sql.splitLongs(text);
    }

    public static List<Entry> blockEntries(Connection c, long blockNid) throws SQLException {
        String text = Sql.one(c, "SELECT entries FROM roomserver_state_blocks WHERE state_block_nid = ?",
                rs -> rs.getString(1), blockNid).orElseThrow(() -> new SQLException("no state block " + blockNid));
        List<Entry> out = new ArrayList<>();
        if (text.isEmpty()) return out;
        for (String triple : text.split(",")) {
            String[] p = triple.split(":");
            out.add(new Entry(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2])));
        }
        return out;
    }

    /** How many snapshots and blocks are stored (for tests of the deduplication). */
    public static long[] counts(Connection c) throws SQLException {
        long snapshots = Sql.one(c, "SELECT COUNT(*) FROM roomserver_state_snapshots", rs -> rs.getLong(1)).orElse(0L);
        long blocks = Sql.one(c, "SELECT COUNT(*) FROM roomserver_state_blocks", rs -> rs.getLong(1)).orElse(0L);
        return new long[] {snapshots, blocks};
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
