package dev.myelin.protocol.stateres;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.auth.AuthEvents;
import dev.myelin.protocol.auth.AuthRules;
import dev.myelin.protocol.auth.PowerLevels;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersion;
import java.util.HashMap;
import java.util.Map;

/**
 * What one state resolution run remembers: the events it has read (each looked up once) and the power levels
 * parsed per power levels event, plus the auth check against a partially resolved state that both algorithms use.
 */
class ResolutionContext {

    final RoomVersion version;
    final AuthRules rules;
    private final EventLookup lookup;
    private final Map<String, Pdu> events = new HashMap<>();
    private final Map<String, PowerLevels> powerLevelsByEvent = new HashMap<>();

    ResolutionContext(RoomVersion version, EventLookup lookup, AuthRules rules) {
        this.version = version;
        this.lookup = lookup;
        this.rules = rules;
    }

    /** The event with this ID; a {@link ProtocolException} when the caller did not supply it. */
    Pdu event(String id) {
        Pdu e = find(id);
        if (e == null) throw new ProtocolException("event " + id + " is needed for state resolution but was not supplied");
        return e;
    }

    /** The event with this ID, or {@code null} when the caller did not supply it. */
    Pdu find(String id) {
        Pdu e = events.get(id);
        if (e == null && !events.containsKey(id)) {
            e = lookup.get(id);
            if (e != null && !id.equals(e.eventId())) {
                throw new ProtocolException("the lookup returned event " + e.eventId() + " for " + id);
            }
            if (e != null && !e.roomVersion().equals(version)) {
                throw new ProtocolException("event " + id + " is of room version " + e.roomVersion().id() + ", not " + version.id());
            }
            events.put(id, e);
        }
        return e;
    }

    /** The auth event of {@code e} with this type and state key, or {@code null}. */
    Pdu authEventOf(Pdu e, String type, String stateKey) {
        for (String id : e.authEventIds()) {
            Pdu a = find(id);
            if (a != null && a.type().equals(type) && stateKey.equals(a.stateKey())) return a;
        }
        return null;
    }

    /** From v12: the create event a room ID names ({@code !x} is the create event {@code $x}), or {@code null}. */
    Pdu createOfRoom(String roomId) {
        if (roomId == null || !roomId.startsWith("!")) return null;
        Pdu create = find("$" + roomId.substring(1));
        return create != null && create.isState(Pdu.CREATE, "") ? create : null;
    }

    /** The create event that governs {@code e} when looking only at its auth events (v12: its room ID). */
    Pdu createFor(Pdu e) {
        return version.roomIdFromCreateEvent() ? createOfRoom(e.roomId()) : authEventOf(e, Pdu.CREATE, "");
    }

    /** The power level of {@code e}'s sender according to {@code e}'s own auth events. */
    long senderPowerAtEvent(Pdu e) {
        return powerLevelsOf(authEventOf(e, Pdu.POWER_LEVELS, ""), createFor(e)).userLevel(e.sender());
    }

    /**
     * Whether {@code e} passes the auth rules against a partially resolved state: each pair the rules read comes
     * from the state, or (when {@code fallBackToAuthEvents}, as v2 asks) when the state lacks it, from {@code e}'s
     * own auth events.
     */
    boolean allowedIn(Pdu e, Map<StateKey, String> state, boolean fallBackToAuthEvents) {
        AuthEvents authEvents = new AuthEvents() {
            @Override
            public Pdu get(String type, String stateKey) {
                if (version.roomIdFromCreateEvent() && Pdu.CREATE.equals(type) && stateKey.isEmpty()) {
                    return createOfRoom(e.roomId());
                }
                String id = state.get(new StateKey(type, stateKey));
                if (id != null) {
                    Pdu inState = find(id);
                    if (inState != null) return inState;
                }
                return fallBackToAuthEvents ? authEventOf(e, type, stateKey) : null;
            }

            @Override
            public PowerLevels powerLevels(RoomVersion v) {
                return powerLevelsOf(get(Pdu.POWER_LEVELS, ""), create());
            }
        };
        return rules.check(e, authEvents).isAllowed();
    }

    /** The power levels of a power levels event (or none) and a create event, parsed once per resolution. */
    PowerLevels powerLevelsOf(Pdu pl, Pdu create) {
        if (pl == null) return PowerLevels.of(version, null, create);
        String memoKey = pl.eventId() + (create == null ? "" : "|" + create.eventId());
        PowerLevels levels = powerLevelsByEvent.get(memoKey);
        if (levels == null) {
            levels = PowerLevels.of(version, pl, create);
            powerLevelsByEvent.put(memoKey, levels);
        }
        return levels;
    }
}
