package dev.myelin.protocol.crypto;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.event.EventHashes;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.id.EventId;
import dev.myelin.protocol.id.UserId;
import dev.myelin.protocol.event.Redaction;
import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersion.EventFormat;
import java.util.LinkedHashSet;
import java.util.SequencedSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Signing and verifying events (server-server API "Signing Events"): the content hash goes into
 * {@code hashes.sha256}, then the redacted event is signed, so the signature survives redaction. Verifying checks
 * the signatures of every server that must have signed the event.
 */
public final class EventSigning {

    private EventSigning() {}

    /**
     * A copy of {@code event} with its content hash set and {@code server}'s signature (made over the redacted
     * form) added to any signatures it already has.
     */
    public static ObjectNode hashAndSign(RoomVersion version, ObjectNode event, String server, SigningKey key) {
        ObjectNode signed = event.deepCopy();
        EventHashes.addContentHash(signed);
        addSignature(version, signed, server, key);
        return signed;
    }

    /** Adds {@code server}'s signature of the redacted {@code event} to {@code event} in place, leaving its hashes. */
    public static void addSignature(RoomVersion version, ObjectNode event, String server, SigningKey key) {
        ObjectNode redacted = Redaction.redactedView(version, event);
        String signature = UnpaddedBase64.encode(key.sign(SignedJson.signedBytes(redacted)));
        SignedJson.putSignature(event, server, key.keyId(), signature);
    }

    /**
     * The servers whose signatures {@code event} needs: the sender's server (except for an invite made from a
     * third-party invite, which any server may send on the inviter's behalf); in room versions 1–2 the server of
     * the event ID; and from v8, for a membership event whose content names {@code join_authorised_via_users_server}
     * (a join authorised under a restricted join rule), that user's server.
     */
    public static SequencedSet<String> requiredSigners(RoomVersion version, ObjectNode event) {
        var servers = new LinkedHashSet<String>();
        String sender = stringField(event, "sender");
        String senderServer = UserId.parse(sender).server().value();
        JsonNode content = event.get("content");
        String type = event.get("type") instanceof JsonNode t && t.isString() ? t.stringValue() : null;
        String membership = Pdu.MEMBER.equals(type) && content != null && content.get("membership") instanceof JsonNode m
                && m.isString() ? m.stringValue() : null;
        boolean thirdPartyInvite = "invite".equals(membership) && content.has("third_party_invite");
        if (!thirdPartyInvite) servers.add(senderServer);
        if (version.eventFormat() == EventFormat.V1) {
            String eventServer = EventId.parse(stringField(event, "event_id")).server()
                    .orElseThrow(() -> new ProtocolException("event_id must be $id:server in room version " + version.id()))
                    .value();
            if (!eventServer.equals(senderServer)) servers.add(eventServer);
        }
        // why: the v8+ auth rules require this signature for any membership event carrying the key, not only joins
        if (version.restrictedJoinRule() && Pdu.MEMBER.equals(type) && content != null && content.isObject()) {
            JsonNode via = content.get("join_authorised_via_users_server");
            if (via != null && !via.isNull()) {
                if (!via.isString()) throw new ProtocolException("join_authorised_via_users_server must be a user ID");
                servers.add(UserId.parse(via.stringValue()).server().value());
            }
        }
        return servers;
    }

    /**
     * Checks every signature {@code event} needs ({@link #requiredSigners}) against the redacted event, using keys
     * from {@code keys}. From room version 5 a key counts only if it is valid at the event's
     * {@code origin_server_ts}. Throws a {@link SignatureException} naming the server and key that failed.
     */
    public static void verify(RoomVersion version, ObjectNode event, KeyRing keys) {
        SequencedSet<String> servers = requiredSigners(version, event);
        long validAt = 0;
        if (version.enforceKeyValidity()) {
            JsonNode ts = event.get("origin_server_ts");
            if (ts == null || !ts.isIntegralNumber() || !ts.canConvertToLong()) {
                throw new ProtocolException("origin_server_ts must be an integer");
            }
            validAt = ts.longValue();
        }
        ObjectNode redacted = Redaction.redactedView(version, event);
        byte[] signedBytes = CanonicalJson.encodeWithout(redacted, SignedJson.SIGNATURES, SignedJson.UNSIGNED);
        JsonNode signatures = event.get(SignedJson.SIGNATURES);
        for (String server : servers) {
            SignedJson.verify(signedBytes, signatures, server, keys, validAt);
        }
    }

    private static String stringField(ObjectNode event, String field) {
        JsonNode node = event.get(field);
        if (node == null || !node.isString()) throw new ProtocolException(field + " must be a string");
        return node.stringValue();
    }
}
