package dev.myelin.protocol.auth;

import tools.jackson.databind.node.ObjectNode;

/**
 * Checks the {@code signed} object of a third-party invite against one public key of the matching
 * {@code m.room.third_party_invite} event (auth rule "if any signature in signed matches any public key").
 */
@FunctionalInterface
public interface ThirdPartyInviteVerifier {

    /**
     * Whether any signature in {@code signed.signatures} verifies with this Ed25519 public key.
     *
     * @param signed    the {@code content.third_party_invite.signed} object of the invite
     * @param publicKey the public key, unpadded base64 (standard or URL-safe) as in the
     *                  {@code m.room.third_party_invite} event
     */
    boolean anySignatureMatches(ObjectNode signed, String publicKey);
}
