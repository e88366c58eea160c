package dev.myelin.protocol.auth;

import dev.myelin.protocol.json.CanonicalJson;
import java.util.Objects;

/**
 * The key of a piece of room state: an event type and a state key. Ordered by type, then state key, so a resolved
 * state can be listed deterministically.
 */
public record StateKey(String type, String stateKey) implements Comparable<StateKey> {

    public StateKey {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(stateKey, "stateKey");
    }

    public static StateKey of(String type, String stateKey) {
        return new StateKey(type, stateKey);
    }

    @Override
    public int compareTo(StateKey o) {
        int c = CanonicalJson.CODE_POINT_ORDER.compare(type, o.type);
        return c != 0 ? c : CanonicalJson.CODE_POINT_ORDER.compare(stateKey, o.stateKey);
    }
}
