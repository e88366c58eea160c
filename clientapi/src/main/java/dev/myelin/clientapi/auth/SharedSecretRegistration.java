package dev.myelin.clientapi.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MAC of Synapse's shared-secret registration ({@code /_synapse/admin/v1/register}), so its tools
 * ({@code register_new_matrix_user}, synadm) work against Myelin: hex HMAC-SHA1 keyed with the shared secret
 * over {@code nonce NUL username NUL password NUL ("admin"|"notadmin")}, then {@code NUL user_type} when the
 * request names a user type (as Synapse's tools add it).
 */
public final class SharedSecretRegistration {
    private SharedSecretRegistration() {}

    /** The hex MAC a client must send for these values. */
    public static String mac(String sharedSecret, String nonce, String username, String password, boolean admin) {
        return mac(sharedSecret, nonce, username, password, admin, java.util.Optional.empty());
    }

    /** The hex MAC for these values including a user type. */
    public static String mac(String sharedSecret, String nonce, String username, String password, boolean admin,
            java.util.Optional<String> userType) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(sharedSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            String message = nonce + '\0' + username + '\0' + password + '\0' + (admin ? "admin" : "notadmin")
                    + userType.map(t -> "\0" + t).orElse("");
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA1 is unavailable", e);
        }
    }

    /** Whether {@code given} is the right MAC, compared in constant time. */
    public static boolean verify(String sharedSecret, String nonce, String username, String password, boolean admin,
            java.util.Optional<String> userType, String given) {
        if (given == null) return false;
        byte[] expected = mac(sharedSecret, nonce, username, password, admin, userType).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8));
    }
}
