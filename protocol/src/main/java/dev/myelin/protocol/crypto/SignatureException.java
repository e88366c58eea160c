package dev.myelin.protocol.crypto;

import dev.myelin.protocol.ProtocolException;

/**
 * A required signature is missing, made with no known valid key, malformed or wrong. Says which server (and,
 * where one is to blame, which key) failed.
 */
public final class SignatureException extends ProtocolException {

    private final String serverName;
    private final String keyId;

    public SignatureException(String serverName, String keyId, String reason) {
        super(reason);
        this.serverName = serverName;
        this.keyId = keyId;
    }

    /** The server whose signature failed. */
    public String serverName() {
        return serverName;
    }

    /** The key whose signature failed, or {@code null} when no particular key is to blame (none was usable). */
    public String keyId() {
        return keyId;
    }
}
