package dev.myelin.protocol.crypto;

import dev.myelin.protocol.ProtocolException;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A server's Ed25519 verification key as published in {@code verify_keys}/{@code old_verify_keys}, with the time
 * until which it may be used ({@code valid_until_ts}, or {@code expired_ts} for old keys). The key is decoded once
 * here so that verifying many signatures with it does not decode it again.
 */
public final class VerifyKey {

    /** For keys that never expire (e.g. keys given on the command line, or room versions 1–4). */
    public static final long NO_EXPIRY = Long.MAX_VALUE;

    private final Ed25519PublicKeyParameters key;
    private final long validUntilTs;

    private VerifyKey(Ed25519PublicKeyParameters key, long validUntilTs) {
        this.key = key;
        this.validUntilTs = validUntilTs;
    }

    /** A key from its 32 raw bytes. */
    public static VerifyKey ed25519(byte[] publicKey, long validUntilTs) {
        if (publicKey.length != Ed25519PublicKeyParameters.KEY_SIZE) {
            throw new ProtocolException("an ed25519 public key is 32 bytes, got " + publicKey.length);
        }
        try {
            return new VerifyKey(new Ed25519PublicKeyParameters(publicKey, 0), validUntilTs);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("not a valid ed25519 public key", e);
        }
    }

    /** A key from its unpadded base64 form, as in {@code verify_keys}. */
    public static VerifyKey ed25519(String publicKeyBase64, long validUntilTs) {
        return ed25519(UnpaddedBase64.decode(publicKeyBase64), validUntilTs);
    }

    /** The public key of a signing key, never expiring (our own key, tests). */
    public static VerifyKey of(SigningKey key) {
        return ed25519(key.publicKey(), NO_EXPIRY);
    }

    /** Milliseconds since the epoch until which signatures made with this key count. */
    public long validUntilTs() {
        return validUntilTs;
    }

    /** The 32-byte public key. */
    public byte[] publicKey() {
        return key.getEncoded();
    }

    /** Whether {@code signature} is a valid Ed25519 signature of {@code message[offset, offset+length)}. */
    public boolean verify(byte[] message, int offset, int length, byte[] signature) {
        if (signature.length != Ed25519.SIGNATURE_SIZE) return false;
        return key.verify(Ed25519.Algorithm.Ed25519, null, message, offset, length, signature, 0);
    }

    /** Whether {@code signature} is a valid Ed25519 signature of {@code message}. */
    public boolean verify(byte[] message, byte[] signature) {
        return verify(message, 0, message.length, signature);
    }

    @Override
    public String toString() {
        return "VerifyKey[" + UnpaddedBase64.encode(key.getEncoded()) + " until " + validUntilTs + "]";
    }
}
