package dev.myelin.roomserver.storage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

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
    public static long block(Connection tx, List<Entry> sortedEntries) throws SQLException {
        StringBuilder sb = new StringBuilder();
        for (Entry e : sortedEntries) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(e.typeNid()).append(':').append(e.stateKeyNid()).append(':').append(e.eventNid());
        }
        String text = sb.toString();
        String hash = sha256(text);
        Sql.update(tx, "INSERT INTO roomserver_state_blocks (content_hash, entries) VALUES (?, ?) "
                + "ON CONFLICT (content_hash) DO NOTHING", hash, text);
        return Sql.one(tx, "SELECT state_block_nid FROM roomserver_state_blocks WHERE content_hash = ?",
                rs -> rs.getLong(1), hash).orElseThrow(() -> new SQLException("state block vanished"));
    }

    /** The snapshot made of {@code blockNids} in this order, written now if no snapshot has that content. */
    public static long snapshot(Connection tx, long roomNid, List<Long> blockNids) throws SQLException {
        if (blockNids.isEmpty()) return 0;
        String text = Sql.joinLongs(blockNids);
        String hash = sha256(text);
        Sql.update(tx, "INSERT INTO roomserver_state_snapshots (content_hash, room_nid, state_block_nids) "
                + "VALUES (?, ?, ?) ON CONFLICT (content_hash) DO NOTHING", hash, roomNid, text);
        return Sql.one(tx, "SELECT state_snapshot_nid FROM roomserver_state_snapshots WHERE content_hash = ?",
                rs -> rs.getLong(1), hash).orElseThrow(() -> new SQLException("state snapshot vanished"));
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
