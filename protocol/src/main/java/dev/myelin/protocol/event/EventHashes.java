package dev.myelin.protocol.event;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.crypto.UnpaddedBase64;
import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.room.RoomVersion;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The two hashes of an event (server-server API "Signing Events"): the content hash over the whole event, stored
 * in {@code hashes.sha256}, and the reference hash over the redacted event, which event IDs are made of.
 */
public final class EventHashes {

    public static final String HASHES = "hashes";
    public static final String SHA256 = "sha256";

    private EventHashes() {}

    /** SHA-256 of the canonical JSON of {@code event} without {@code unsigned}, {@code signatures}, {@code hashes}. */
    public static byte[] contentHash(ObjectNode event) {
        return sha256(CanonicalJson.encodeWithout(event, "unsigned", "signatures", HASHES));
    }

    /** The content hash in unpadded base64, as stored in {@code hashes.sha256}. */
    public static String contentHashBase64(ObjectNode event) {
        return UnpaddedBase64.encode(contentHash(event));
    }

    /**
     * Whether {@code hashes.sha256} of {@code event} equals its content hash. A mismatch means the event must be
     * handled in its redacted form (a hash of the wrong length is a mismatch too). Throws a {@link ProtocolException}
     * when the hash is absent or not base64.
     */
    public static boolean contentHashMatches(ObjectNode event) {
        return MessageDigest.isEqual(claimedContentHash(event), contentHash(event));
    }

    /** The decoded {@code hashes.sha256} of {@code event}, or a {@link ProtocolException} saying what is wrong. */
    public static byte[] claimedContentHash(ObjectNode event) {
        JsonNode hashes = event.get(HASHES);
        if (hashes == null || !hashes.isObject()) throw new ProtocolException("event has no hashes object");
        JsonNode sha = hashes.get(SHA256);
        if (sha == null || !sha.isString()) throw new ProtocolException("event has no hashes.sha256 string");
        return UnpaddedBase64.decode(sha.stringValue());
    }

    /** Sets {@code hashes.sha256} of {@code event} (in place) to its content hash. */
    public static void addContentHash(ObjectNode event) {
        String hash = contentHashBase64(event);
        JsonNode hashes = event.get(HASHES);
        if (hashes instanceof ObjectNode existing) {
            existing.put(SHA256, hash);
        } else {
            event.putObject(HASHES).put(SHA256, hash);
        }
    }

    /**
     * SHA-256 of the canonical JSON of the redacted event without {@code signatures}, {@code unsigned} and
     * {@code age_ts}.
     */
    public static byte[] referenceHash(RoomVersion version, ObjectNode event) {
        ObjectNode redacted = Redaction.redactedView(version, event);
        return sha256(CanonicalJson.encodeWithout(redacted, "signatures", "unsigned", "age_ts"));
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
