package dev.myelin.protocol.auth;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.crypto.SignedJson;
import dev.myelin.protocol.crypto.VerifyKey;
import tools.jackson.databind.node.ObjectNode;

/**
 * The real check of a third-party invite: any ed25519 signature in {@code signed.signatures} (whatever server
 * and key ID it is filed under) verifies over the canonical JSON of {@code signed} with the identity server's key.
 */
public final class Ed25519ThirdPartyInviteVerifier implements ThirdPartyInviteVerifier {

    @Override
    public boolean anySignatureMatches(ObjectNode signed, String publicKey) {
        VerifyKey key;
        try {
            // why: identity servers publish keys in standard or URL-safe unpadded base64; accept both
            key = VerifyKey.ed25519(publicKey.replace('-', '+').replace('_', '/'), VerifyKey.NO_EXPIRY);
        } catch (ProtocolException e) {
            return false; // a malformed public key matches no signature
        }
        try {
            return SignedJson.anySignatureVerifies(signed, key);
        } catch (ProtocolException e) {
            return false; // signed cannot be encoded as canonical JSON (e.g. too deep): nothing can match
        }
    }
}
