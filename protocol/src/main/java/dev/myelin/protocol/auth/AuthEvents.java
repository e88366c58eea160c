package dev.myelin.protocol.auth;

import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersion;
import java.util.Map;

/**
 * The state an event is authorised against: the events for the (type, state key) pairs the rules ask about.
 * From room version 12 the {@code m.room.create} event is not part of {@code auth_events}; an implementation
 * must still answer it (the create event whose ID matches the room ID), as the rules need it.
 */
@FunctionalInterface
public interface AuthEvents {

    /** The state event for this type and state key, or {@code null} when the state has none. */
    Pdu get(String type, String stateKey);

    default Pdu create() {
        return get(Pdu.CREATE, "");
    }

    /**
     * The power levels this state gives (its power levels and create events). State resolution overrides this to
     * parse each power levels event once per resolution instead of once per check.
     */
    default PowerLevels powerLevels(RoomVersion version) {
        return PowerLevels.of(version, get(Pdu.POWER_LEVELS, ""), create());
    }

    static AuthEvents of(Map<StateKey, Pdu> state) {
        return (type, stateKey) -> state.get(new StateKey(type, stateKey));
    }
}
