package dev.myelin.userapi.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Tables e2e_cross_signing_keys (a user's master, self-signing and user-signing keys) and e2e_cross_signing_sigs. */
public final class CrossSigningTables {
    private CrossSigningTables() {}

    /** A signature on a key, kept apart from the key object it signs. */
    public record Signature(String targetUserId, String targetKeyId, String signerUserId, String signerKeyId, String signature) {}

    /** The user's cross-signing keys by type ({@code master}, {@code self_signing}, {@code user_signing}). */
    public static Map<String, String> keys(Connection c, String userId) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        Sql.list(c, "SELECT key_type, key_json FROM e2e_cross_signing_keys WHERE user_id = ?",
                rs -> out.put(rs.getString(1), rs.getString(2)), userId);
        return out;
    }

    public static Optional<String> key(Connection c, String userId, String type) throws SQLException {
        return Sql.one(c, "SELECT key_json FROM e2e_cross_signing_keys WHERE user_id = ? AND key_type = ?",
                rs -> rs.getString(1), userId, type);
    }

    // why: an upsert, not delete-then-insert: two concurrent uploads on PostgreSQL (READ COMMITTED) would both
    // delete nothing and both insert, and the second would fail on the primary key
    public static void put(Connection c, String userId, String type, String keyJson, long now) throws SQLException {
        Sql.update(c, "INSERT INTO e2e_cross_signing_keys (user_id, key_type, key_json, added_ts) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (user_id, key_type) DO UPDATE SET key_json = excluded.key_json, added_ts = excluded.added_ts",
                userId, type, keyJson, now);
    }

    public static void delete(Connection c, String userId, String type) throws SQLException {
        Sql.update(c, "DELETE FROM e2e_cross_signing_keys WHERE user_id = ? AND key_type = ?", userId, type);
    }

    /** Signatures stored on one target key (a device ID or a cross-signing public key) of {@code targetUserId}. */
    public static List<Signature> signatures(Connection c, String targetUserId, String targetKeyId) throws SQLException {
        return Sql.list(c, "SELECT target_user_id, target_key_id, signer_user_id, signer_key_id, signature FROM e2e_cross_signing_sigs "
                + "WHERE target_user_id = ? AND target_key_id = ? ORDER BY signer_user_id, signer_key_id",
                rs -> new Signature(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)),
                targetUserId, targetKeyId);
    }

    /** Stores a signature, replacing the same signer's earlier one on the same key (an upsert; see {@link #put}). */
    public static void putSignature(Connection c, Signature s) throws SQLException {
        Sql.update(c, "INSERT INTO e2e_cross_signing_sigs (target_user_id, target_key_id, signer_user_id, signer_key_id, signature) "
                + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (target_user_id, target_key_id, signer_user_id, signer_key_id) "
                + "DO UPDATE SET signature = excluded.signature",
                s.targetUserId(), s.targetKeyId(), s.signerUserId(), s.signerKeyId(), s.signature());
    }
}
