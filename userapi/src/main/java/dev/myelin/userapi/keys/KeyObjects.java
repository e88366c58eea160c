package dev.myelin.userapi.keys;

import dev.myelin.platform.http.MatrixException;
import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.crypto.SignedJson;
import dev.myelin.protocol.crypto.UnpaddedBase64;
import dev.myelin.protocol.crypto.VerifyKey;
import dev.myelin.userapi.internal.Json;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Shape checks and signature checks of the key objects clients upload (device keys, cross-signing keys). */
final class KeyObjects {
    static final String ED25519 = "ed25519:";

    private KeyObjects() {}

    static ObjectNode object(JsonNode node, String what) {
        if (!(node instanceof ObjectNode o)) throw MatrixException.badJson("'" + what + "' must be an object");
        return o;
    }

    /** The optional object field {@code name} of {@code body}; null and absent are the same. */
    static Optional<ObjectNode> optionalObject(ObjectNode body, String name) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) return Optional.empty();
        return Optional.of(object(n, name));
    }

    static String string(JsonNode node, String what) {
        if (node == null || !node.isString()) throw MatrixException.badJson("'" + what + "' must be a string");
        return node.asString();
    }

    static ObjectNode parse(String json) {
        return Json.readObject(json);
    }

    static JsonNode parseAny(String json) {
        return Json.MAPPER.readTree(json);
    }

    static String write(JsonNode node) {
        return Json.MAPPER.writeValueAsString(node);
    }

    /** A copy without {@code signatures} and {@code unsigned}: what a signature covers and what "the same key" compares. */
    static ObjectNode unsignedPart(ObjectNode key) {
        ObjectNode copy = key.deepCopy();
        copy.remove(SignedJson.SIGNATURES);
        copy.remove(SignedJson.UNSIGNED);
        return copy;
    }

    /**
     * Checks a device_keys object for {@code userId}'s {@code deviceId}: IDs match, algorithms and keys well formed,
     * and it is self-signed by the device's ed25519 key.
     */
    static void checkDeviceKeys(ObjectNode keys, String userId, String deviceId) {
        if (!userId.equals(keys.path("user_id").asString(null))) {
            throw MatrixException.invalidParam("device_keys.user_id must be your user ID");
        }
        if (!deviceId.equals(keys.path("device_id").asString(null))) {
            throw MatrixException.invalidParam("device_keys.device_id must be the ID of this device");
        }
        JsonNode algorithms = keys.get("algorithms");
        if (algorithms == null || !algorithms.isArray()) throw MatrixException.badJson("device_keys.algorithms must be a list");
        for (JsonNode a : algorithms) if (!a.isString()) throw MatrixException.badJson("device_keys.algorithms must be strings");
        ObjectNode keyMap = object(keys.get("keys"), "device_keys.keys");
        for (Map.Entry<String, JsonNode> e : keyMap.properties()) {
            if (!e.getValue().isString() || e.getKey().indexOf(':') <= 0) {
                throw MatrixException.badJson("device_keys.keys must map <algorithm>:<device_id> to a key");
            }
        }
        JsonNode ed = keyMap.get(ED25519 + deviceId);
        if (ed == null) throw MatrixException.invalidParam("device_keys.keys must hold the device's ed25519 key");
        verify(keys, userId, ED25519 + deviceId, ed.asString(), "device keys");
    }

    /**
     * Checks a cross-signing key of {@code userId} with usage {@code usage}; returns its public key (the part after
     * "ed25519:" of its only key ID, which must equal the key itself).
     */
    static String checkCrossSigningKey(ObjectNode key, String userId, String usage) {
        if (!userId.equals(key.path("user_id").asString(null))) {
            throw MatrixException.invalidParam(usage + " key: user_id must be your user ID");
        }
        JsonNode usages = key.get("usage");
        boolean found = false;
        if (usages == null || !usages.isArray()) throw MatrixException.badJson(usage + " key: usage must be a list");
        for (JsonNode u : usages) {
            if (!u.isString()) throw MatrixException.badJson(usage + " key: usage must be strings");
            found |= u.asString().equals(usage);
        }
        if (!found) throw MatrixException.invalidParam(usage + " key: usage must contain " + usage);
        ObjectNode keyMap = object(key.get("keys"), usage + "_key.keys");
        if (keyMap.size() != 1) throw MatrixException.invalidParam(usage + " key: keys must hold exactly one key");
        Map.Entry<String, JsonNode> only = keyMap.properties().iterator().next();
        if (!only.getValue().isString() || !only.getKey().equals(ED25519 + only.getValue().asString())) {
            throw MatrixException.invalidParam(usage + " key: keys must be {\"ed25519:<key>\": \"<key>\"}");
        }
        verifyKey(only.getValue().asString(), usage + " key");
        JsonNode signatures = key.get(SignedJson.SIGNATURES);
        if (signatures != null && !signatures.isNull()) object(signatures, usage + "_key.signatures");
        return only.getValue().asString();
    }

    static VerifyKey verifyKey(String publicKeyBase64, String what) {
        try {
            return VerifyKey.ed25519(publicKeyBase64, VerifyKey.NO_EXPIRY);
        } catch (ProtocolException e) {
            throw MatrixException.invalidParam(what + " is not a valid ed25519 public key");
        }
    }

    /** Checks that {@code signed} carries a valid signature by {@code signer}'s key {@code keyId} (public key given). */
    static void verify(ObjectNode signed, String signer, String keyId, String publicKeyBase64, String what) {
        JsonNode signature = signed.path(SignedJson.SIGNATURES).path(signer).get(keyId);
        if (signature == null || !signature.isString()) {
            throw new MatrixException("M_INVALID_SIGNATURE", what + " must be signed by " + keyId, 400);
        }
        if (!verifies(signed, signature.asString(), verifyKey(publicKeyBase64, what + " signing key"))) {
            throw new MatrixException("M_INVALID_SIGNATURE", "Invalid signature by " + keyId + " on " + what, 400);
        }
    }

    static boolean verifies(ObjectNode signed, String signatureBase64, VerifyKey key) {
        byte[] signature;
        try {
            signature = UnpaddedBase64.decode(signatureBase64);
        } catch (ProtocolException e) {
            return false;
        }
        return key.verify(SignedJson.signedBytes(signed), signature);
    }
}
