package dev.myelin.protocol.stateres;

import dev.myelin.protocol.auth.AuthRules;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.room.RoomVersion;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Resolves a set of room states into one, with the algorithm of the room version: v1 (room version 1),
 * v2 (room versions 2–11) or v2.1 (room version 12). Pure and deterministic: the same states and events give the
 * same result whatever the order of the states. Cost grows with the conflicted events and their auth chains.
 */
public final class StateResolution {

    private StateResolution() {}

    /**
     * The resolved state.
     *
     * @param stateSets the states to resolve, each a map from (type, state key) to event ID
     * @param lookup    every event the algorithm may need: the states' events and their auth chains
     * @param rules     the auth rules used for the iterative auth checks
     * @throws dev.myelin.protocol.ProtocolException when an event it needs was not supplied or the events are
     *                                               inconsistent (e.g. auth events forming a cycle)
     */
    public static Map<StateKey, String> resolve(RoomVersion version, Collection<? extends Map<StateKey, String>> stateSets,
            EventLookup lookup, AuthRules rules) {
        List<Map<StateKey, String>> sets = new ArrayList<>(stateSets);
        return switch (version.stateResolution()) {
            case V1 -> new StateResolverV1(version, lookup, rules).resolve(sets);
            case V2, V2_1 -> new StateResolverV2(version, lookup, rules, null).resolve(sets);
        };
    }

    /**
     * {@link #resolve(RoomVersion, Collection, EventLookup, AuthRules)} with the auth difference and the conflicted
     * state subgraph answered by {@code authChains} (e.g. the roomserver's auth chain index) instead of walking the
     * auth chains through {@code lookup}. Room version 1 does not use auth chains.
     */
    public static Map<StateKey, String> resolve(RoomVersion version, Collection<? extends Map<StateKey, String>> stateSets,
            EventLookup lookup, AuthRules rules, AuthChains authChains) {
        List<Map<StateKey, String>> sets = new ArrayList<>(stateSets);
        return switch (version.stateResolution()) {
            case V1 -> new StateResolverV1(version, lookup, rules).resolve(sets);
            case V2, V2_1 -> new StateResolverV2(version, lookup, rules, java.util.Objects.requireNonNull(authChains))
                    .resolve(sets);
        };
    }
}
