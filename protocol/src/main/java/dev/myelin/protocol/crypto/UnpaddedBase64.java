package dev.myelin.protocol.crypto;

import dev.myelin.protocol.ProtocolException;
import java.util.Base64;

/**
 * Base64 as Matrix writes keys, signatures and hashes: standard alphabet without padding. Decoding also accepts
 * padded input, as the spec asks implementations to. The URL-safe variant is used for event IDs from room v4.
 */
public final class UnpaddedBase64 {
    private static final Base64.Encoder STANDARD = Base64.getEncoder().withoutPadding();
    private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();

    private UnpaddedBase64() {}

    public static String encode(byte[] bytes) {
        return STANDARD.encodeToString(bytes);
    }

    public static String encodeUrlSafe(byte[] bytes) {
        return URL_SAFE.encodeToString(bytes);
    }

    public static byte[] decode(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("not valid base64: " + e.getMessage());
        }
    }
}
