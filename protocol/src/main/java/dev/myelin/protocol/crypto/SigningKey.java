package dev.myelin.protocol.crypto;

import dev.myelin.protocol.ProtocolException;
import java.security.SecureRandom;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A server's Ed25519 signing key, stored in Synapse's one-line format {@code ed25519 <version> <seed>} where the
 * seed is the 32-byte private key in unpadded standard base64. Its key ID in JSON is {@code ed25519:<version>}.
 */
public final class SigningKey {

    public static final String ALGORITHM = "ed25519";
    private static final Pattern VERSION = Pattern.compile("[a-zA-Z0-9_]+");
    private static final String VERSION_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private final String version;
    private final Ed25519PrivateKeyParameters privateKey;
    private final byte[] publicKey;

    private SigningKey(String version, byte[] seed) {
        if (!VERSION.matcher(version).matches()) {
            throw new ProtocolException("signing key version must match [a-zA-Z0-9_]+, got '" + version + "'");
        }
        if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
            throw new ProtocolException("an ed25519 seed is 32 bytes, got " + seed.length);
        }
        this.version = version;
        this.privateKey = new Ed25519PrivateKeyParameters(seed, 0);
        this.publicKey = privateKey.generatePublicKey().getEncoded();
    }

    /** A new key with a random version {@code a_XXXX}, as Synapse names its keys. */
    public static SigningKey generate(SecureRandom random) {
        byte[] seed = new byte[Ed25519PrivateKeyParameters.KEY_SIZE];
        random.nextBytes(seed);
        var version = new StringBuilder("a_");
        for (int i = 0; i < 4; i++) {
            version.append(VERSION_ALPHABET.charAt(random.nextInt(VERSION_ALPHABET.length())));
        }
        return new SigningKey(version.toString(), seed);
    }

    /** A key from its seed and version. */
    public static SigningKey of(String version, byte[] seed) {
        return new SigningKey(version, seed.clone());
    }

    /** Parses the first key line of a signing key file ({@code ed25519 <version> <base64 seed>}). */
    public static SigningKey parse(String fileContents) {
        for (String line : fileContents.split("\\R")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) continue;
            String[] parts = trimmed.split("\\s+");
            if (parts.length != 3) {
                throw new ProtocolException("a signing key line is 'ed25519 <version> <base64 seed>'");
            }
            if (!parts[0].equals(ALGORITHM)) {
                throw new ProtocolException("unsupported signing key algorithm '" + parts[0] + "'");
            }
            return new SigningKey(parts[1], UnpaddedBase64.decode(parts[2]));
        }
        throw new ProtocolException("no signing key in the file");
    }

    /** This key in Synapse's file format, one line ending with a newline. */
    public String format() {
        return ALGORITHM + " " + version + " " + UnpaddedBase64.encode(privateKey.getEncoded()) + "\n";
    }

    /** The version part of the key ID, e.g. {@code a_AbCd}. */
    public String version() {
        return version;
    }

    /** The key ID as used in {@code signatures} and {@code verify_keys}: {@code ed25519:<version>}. */
    public String keyId() {
        return ALGORITHM + ":" + version;
    }

    /** The 32-byte public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The public key in unpadded standard base64, as published in {@code verify_keys}. */
    public String publicKeyBase64() {
        return UnpaddedBase64.encode(publicKey);
    }

    /** The Ed25519 signature of {@code message}. */
    public byte[] sign(byte[] message) {
        var signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    @Override
    public String toString() {
        return "SigningKey[" + keyId() + "]"; // why: never print the seed
    }
}
