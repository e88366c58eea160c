package dev.myelin.userapi.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Opaque secrets handed to clients (access, refresh, login and OpenID tokens) and the hashes under which they
 * are stored: the database never holds a usable token, only its SHA-256.
 */
public final class Tokens {
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private final SecureRandom random;

    public Tokens(SecureRandom random) {
        this.random = random;
    }

    /** A fresh token: {@code prefix} then 32 random bytes in unpadded base64url (e.g. {@code myl_…}). */
    public String newToken(String prefix) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return prefix + B64URL.encodeToString(bytes);
    }

    /** A device ID as clients usually see them: ten upper-case letters. */
    public String newDeviceId() {
        StringBuilder id = new StringBuilder(10);
        for (int i = 0; i < 10; i++) id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        return id.toString();
    }

    /** An identifier with no secret value (UIA session IDs, nonces): 24 random bytes in base64url. */
    public String newOpaqueId() {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        return B64URL.encodeToString(bytes);
    }

    /** The lower-case hex SHA-256 of a token: the only form in which tokens are stored or cached. */
    public static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
