package dev.myelin.protocol.crypto;

import java.util.Map;
import java.util.Optional;

/**
 * Where signature checks find servers' public keys, by server name and key ID ({@code ed25519:abc}). The
 * federation layer implements it over its key cache; it is responsible for capping {@code valid_until_ts} at
 * seven days after it fetched a key, as room version 5 asks. Lookups must not block on the network: fetch the
 * keys an event needs before verifying it.
 */
@FunctionalInterface
public interface KeyRing {

    /** The key, or empty when this server's key is unknown. */
    Optional<VerifyKey> find(String serverName, String keyId);

    /** A fixed key ring: server name → key ID → key. */
    static KeyRing of(Map<String, Map<String, VerifyKey>> keys) {
        var copy = Map.copyOf(keys.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> Map.copyOf(e.getValue()))));
        return (server, keyId) -> {
            Map<String, VerifyKey> serverKeys = copy.get(server);
            return serverKeys == null ? Optional.empty() : Optional.ofNullable(serverKeys.get(keyId));
        };
    }
}
