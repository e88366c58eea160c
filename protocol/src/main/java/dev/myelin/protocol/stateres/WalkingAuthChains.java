package dev.myelin.protocol.stateres;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link AuthChains} by walking {@code auth_events} with hash sets, each event read once per walk. The walks are
 * linear in the auth chains they cover; the events every state shares are walked once for all states.
 */
final class WalkingAuthChains implements AuthChains {

    private final ResolutionContext ctx;

    WalkingAuthChains(ResolutionContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Set<String> authDifference(List<? extends Collection<String>> stateSets) {
        int n = stateSets.size();
        var occurrences = new HashMap<String, Integer>();
        for (Collection<String> s : stateSets) {
            for (String id : new HashSet<>(s)) occurrences.merge(id, 1, Integer::sum);
        }
        // why: an event in every state has its auth chain in every full auth chain; walk that common chain once,
        // then per state walk only from its other events, stopping where the common chain starts.
        var shared = new ArrayList<String>();
        for (Map.Entry<String, Integer> e : occurrences.entrySet()) {
            if (e.getValue() == n) shared.add(e.getKey());
        }
        Set<String> common = authChainOf(shared, Set.of());
        var counts = new HashMap<String, Integer>();
        for (Collection<String> s : stateSets) {
            var starts = new ArrayList<String>();
            for (String id : s) {
                if (occurrences.get(id) < n) starts.add(id);
            }
            for (String id : authChainOf(starts, common)) counts.merge(id, 1, Integer::sum);
        }
        var difference = new HashSet<String>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getValue() < n) difference.add(e.getKey());
        }
        return difference;
    }

    @Override
    public Set<String> conflictedStateSubgraph(Set<String> conflicted) {
        Set<String> below = authChainOf(conflicted, Set.of());
        // leadsTo: memo of "this event is conflicted or reaches a conflicted event through its auth events"
        var leadsTo = new HashMap<String, Boolean>();
        for (String start : below) {
            if (leadsTo.containsKey(start)) continue;
            // Iterative post-order DFS; an event met again while still open (a cycle) counts as not leading.
            var stack = new ArrayDeque<String>();
            var open = new HashSet<String>();
            stack.push(start);
            while (!stack.isEmpty()) {
                String id = stack.peek();
                if (leadsTo.containsKey(id)) {
                    stack.pop();
                    continue;
                }
                if (open.add(id)) {
                    for (String a : ctx.event(id).authEventIds()) {
                        if (!leadsTo.containsKey(a) && !open.contains(a)) stack.push(a);
                    }
                } else {
                    stack.pop();
                    boolean leads = conflicted.contains(id);
                    for (String a : ctx.event(id).authEventIds()) {
                        if (leads) break;
                        leads = conflicted.contains(a) || Boolean.TRUE.equals(leadsTo.get(a));
                    }
                    leadsTo.put(id, leads);
                }
            }
        }
        var subgraph = new HashSet<String>(conflicted);
        for (String id : below) {
            if (Boolean.TRUE.equals(leadsTo.get(id))) subgraph.add(id);
        }
        return subgraph;
    }

    /** The events reachable through auth events from {@code starts} (not the starts themselves), not entering {@code stop}. */
    private Set<String> authChainOf(Collection<String> starts, Set<String> stop) {
        var seen = new HashSet<String>();
        var stack = new ArrayDeque<String>();
        for (String id : starts) {
            for (String a : ctx.event(id).authEventIds()) {
                if (!stop.contains(a) && seen.add(a)) stack.push(a);
            }
        }
        while (!stack.isEmpty()) {
            for (String a : ctx.event(stack.pop()).authEventIds()) {
                if (!stop.contains(a) && seen.add(a)) stack.push(a);
            }
        }
        return seen;
    }
}
