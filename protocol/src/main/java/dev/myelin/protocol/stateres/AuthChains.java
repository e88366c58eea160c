package dev.myelin.protocol.stateres;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The auth-chain questions state resolution v2 and v2.1 ask. The default ({@link StateResolution} without this
 * argument) answers them by walking {@code auth_events} through the {@link EventLookup}, once per resolution; a
 * roomserver with an auth chain index can answer them without reading the events of the whole auth chain.
 */
public interface AuthChains {

    /**
     * The auth difference of these states: every event in the full auth chain (the union of the auth chains of
     * its events) of some state but not of all of them.
     *
     * @param stateSets the event IDs of each state
     */
    Set<String> authDifference(List<? extends Collection<String>> stateSets);

    /**
     * v2.1: the conflicted state subgraph, the events on {@code auth_events} paths from one conflicted event to
     * another, endpoints included.
     */
    Set<String> conflictedStateSubgraph(Set<String> conflicted);
}
