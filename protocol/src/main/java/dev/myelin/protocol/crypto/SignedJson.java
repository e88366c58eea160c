package dev.myelin.protocol.crypto;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.json.CanonicalJson;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Signing JSON and checking for a signature, as the spec's appendices define them: the signature covers the
 * canonical JSON of the object without {@code signatures} and {@code unsigned}, and is stored under
 * {@code signatures.<server>.<key ID>} in unpadded base64.
 */
public final class SignedJson {

    public static final String SIGNATURES = "signatures";
    public static final String UNSIGNED = "unsigned";
    private static final String ED25519_PREFIX = SigningKey.ALGORITHM + ":";

    private SignedJson() {}

    /** The bytes a signature of {@code object} covers. */
    public static byte[] signedBytes(ObjectNode object) {
        return CanonicalJson.encodeWithout(object, SIGNATURES, UNSIGNED);
    }

    /** The unpadded base64 signature of {@code object} by {@code key}, without changing {@code object}. */
    public static String signature(ObjectNode object, SigningKey key) {
        return UnpaddedBase64.encode(key.sign(signedBytes(object)));
    }

    /** A copy of {@code object} with {@code server}'s signature by {@code key} added to its other signatures. */
    public static ObjectNode sign(ObjectNode object, String server, SigningKey key) {
        ObjectNode copy = object.deepCopy();
        addSignature(copy, server, key);
        return copy;
    }

    /** Adds {@code server}'s signature by {@code key} to {@code object} in place. */
    public static void addSignature(ObjectNode object, String server, SigningKey key) {
        putSignature(object, server, key.keyId(), signature(object, key));
    }

    /** Stores a signature made elsewhere under {@code signatures.<server>.<keyId>} of {@code object}. */
    public static void putSignature(ObjectNode object, String server, String keyId, String signatureBase64) {
        JsonNode signatures = object.get(SIGNATURES);
        ObjectNode all;
        if (signatures == null || signatures.isNull()) {
            all = object.putObject(SIGNATURES);
        } else if (signatures instanceof ObjectNode existing) {
            all = existing;
        } else {
            throw new ProtocolException("signatures must be an object");
        }
        JsonNode forServer = all.get(server);
        ObjectNode serverSignatures;
        if (forServer == null || forServer.isNull()) {
            serverSignatures = all.putObject(server);
        } else if (forServer instanceof ObjectNode existing) {
            serverSignatures = existing;
        } else {
            throw new ProtocolException("signatures." + server + " must be an object");
        }
        serverSignatures.put(keyId, signatureBase64);
    }

    /**
     * Checks that {@code server} signed {@code object} (appendices, "Checking for a signature"): every signature
     * by one of its ed25519 keys that {@code keys} knows and that is valid at {@code validAtTs} must verify, and
     * there must be at least one. Keys of other algorithms, unknown keys and keys that expired before
     * {@code validAtTs} are skipped. Throws a {@link SignatureException} naming the server and key otherwise.
     */
    public static void verify(ObjectNode object, String server, KeyRing keys, long validAtTs) {
        verify(signedBytes(object), object.get(SIGNATURES), server, keys, validAtTs);
    }

    /**
     * Whether any ed25519 signature on {@code object}, by any entity, verifies with {@code key}. This is the check
     * the auth rules make on a third-party invite's {@code signed} object against the public keys of the
     * {@code m.room.third_party_invite} event. Malformed signatures count as not verifying.
     */
    public static boolean anySignatureVerifies(ObjectNode object, VerifyKey key) {
        JsonNode signatures = object.get(SIGNATURES);
        if (signatures == null || !signatures.isObject()) return false;
        byte[] signed = null;
        for (Map.Entry<String, JsonNode> entity : signatures.properties()) {
            if (!entity.getValue().isObject()) continue;
            for (Map.Entry<String, JsonNode> entry : entity.getValue().properties()) {
                if (!entry.getKey().startsWith(ED25519_PREFIX) || !entry.getValue().isString()) continue;
                byte[] signature;
                try {
                    signature = UnpaddedBase64.decode(entry.getValue().stringValue());
                } catch (ProtocolException e) {
                    continue;
                }
                if (signed == null) signed = signedBytes(object);
                if (key.verify(signed, signature)) return true;
            }
        }
        return false;
    }

    /** {@link #verify(ObjectNode, String, KeyRing, long)} over bytes already encoded by {@link #signedBytes}. */
    public static void verify(byte[] signedBytes, JsonNode signatures, String server, KeyRing keys, long validAtTs) {
        if (signatures == null || !signatures.isObject()) {
            throw new SignatureException(server, null, "not signed: no signatures object");
        }
        JsonNode forServer = signatures.get(server);
        if (forServer == null) {
            throw new SignatureException(server, null, "not signed by " + server);
        }
        if (!forServer.isObject()) {
            throw new SignatureException(server, null, "signatures." + server + " must be an object");
        }
        int verified = 0;
        var skipped = new ArrayList<String>();
        for (Map.Entry<String, JsonNode> entry : forServer.properties()) {
            String keyId = entry.getKey();
            if (!keyId.startsWith(ED25519_PREFIX)) continue; // why: algorithms we don't understand are ignored
            Optional<VerifyKey> key = keys.find(server, keyId);
            if (key.isEmpty()) {
                skipped.add(keyId + " (unknown key)");
                continue;
            }
            if (key.get().validUntilTs() < validAtTs) {
                skipped.add(keyId + " (expired at " + key.get().validUntilTs() + ", needed until " + validAtTs + ")");
                continue;
            }
            JsonNode value = entry.getValue();
            if (!value.isString()) {
                throw new SignatureException(server, keyId, "signature by " + server + " " + keyId + " is not a string");
            }
            byte[] signature;
            try {
                signature = UnpaddedBase64.decode(value.stringValue());
            } catch (ProtocolException e) {
                throw new SignatureException(server, keyId, "signature by " + server + " " + keyId + " is not valid base64");
            }
            if (!key.get().verify(signedBytes, signature)) {
                throw new SignatureException(server, keyId, "bad signature by " + server + " " + keyId);
            }
            verified++;
        }
        if (verified == 0) {
            throw new SignatureException(server, null, "no signature by " + server + " with a known valid key"
                    + (skipped.isEmpty() ? "" : ": " + String.join(", ", skipped)));
        }
    }
}
