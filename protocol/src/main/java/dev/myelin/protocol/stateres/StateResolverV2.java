package dev.myelin.protocol.stateres;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.auth.AuthRules;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.room.RoomVersion;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * State resolution v2 (room versions 2–11) and v2.1 (room version 12), one instance per resolution so that auth
 * chains, senders' power levels and mainline positions are computed once. See the spec's "State resolution" of
 * room versions 2 and 12.
 */
final class StateResolverV2 {

    private final ResolutionContext ctx;
    private final boolean v21;
    private final AuthChains authChains;
    private final Map<String, Long> mainlinePosition = new HashMap<>();

    StateResolverV2(RoomVersion version, EventLookup lookup, AuthRules rules) {
        this(version, lookup, rules, null);
    }

    /** @param authChains the auth chain answers, or {@code null} to walk the auth events through {@code lookup} */
    StateResolverV2(RoomVersion version, EventLookup lookup, AuthRules rules, AuthChains authChains) {
        this.ctx = new ResolutionContext(version, lookup, rules);
        this.authChains = authChains != null ? authChains : new WalkingAuthChains(ctx);
        this.v21 = version.stateResolution() == RoomVersion.StateResolutionAlgorithm.V2_1;
    }

    Map<StateKey, String> resolve(List<Map<StateKey, String>> stateSets) {
        if (stateSets.isEmpty()) return new HashMap<>();
        var unconflicted = new HashMap<StateKey, String>();
        var conflicted = new HashSet<String>();
        split(stateSets, unconflicted, conflicted);
        if (conflicted.isEmpty()) return unconflicted;
        Set<String> fullConflicted = fullConflictedSet(stateSets, conflicted);

        // Step 1: power events and their auth chains within the full conflicted set, reverse topological power order.
        Set<String> powerEvents = new HashSet<>();
        var stack = new ArrayDeque<String>();
        for (String id : fullConflicted) {
            if (isPowerEvent(ctx.event(id))) {
                powerEvents.add(id);
                stack.push(id);
            }
        }
        while (!stack.isEmpty()) {
            for (String a : ctx.event(stack.pop()).authEventIds()) {
                if (fullConflicted.contains(a) && powerEvents.add(a)) stack.push(a);
            }
        }
        List<String> powerOrder = reverseTopologicalPowerOrder(powerEvents);

        // Step 2: iterative auth checks from the unconflicted state map (v2) or from an empty state (v2.1).
        Map<StateKey, String> state = v21 ? new HashMap<>() : new HashMap<>(unconflicted);
        iterativeAuthChecks(state, powerOrder);

        // Step 3: the other events by mainline order of the resolved power levels.
        var rest = new ArrayList<String>();
        for (String id : fullConflicted) {
            if (!powerEvents.contains(id) && ctx.event(id).isState()) rest.add(id);
        }
        List<String> restOrder = mainlineOrder(rest, state.get(new StateKey(Pdu.POWER_LEVELS, "")));

        // Step 4, then step 5: the unconflicted state map wins.
        iterativeAuthChecks(state, restOrder);
        state.putAll(unconflicted);
        return state;
    }

    /** The full conflicted set of these states (for tests). */
    Set<String> fullConflictedSetOf(List<Map<StateKey, String>> stateSets) {
        var unconflicted = new HashMap<StateKey, String>();
        var conflicted = new HashSet<String>();
        split(stateSets, unconflicted, conflicted);
        return fullConflictedSet(stateSets, conflicted);
    }

    /** The unconflicted state map (a key in every state with the same event) and the conflicted state set. */
    private static void split(List<Map<StateKey, String>> stateSets, Map<StateKey, String> unconflicted, Set<String> conflicted) {
        var keys = new HashSet<StateKey>();
        for (Map<StateKey, String> s : stateSets) keys.addAll(s.keySet());
        for (StateKey key : keys) {
            String first = stateSets.get(0).get(key);
            boolean same = first != null;
            for (int i = 1; i < stateSets.size() && same; i++) same = first.equals(stateSets.get(i).get(key));
            if (same) {
                unconflicted.put(key, first);
            } else {
                for (Map<StateKey, String> s : stateSets) {
                    String id = s.get(key);
                    if (id != null) conflicted.add(id);
                }
            }
        }
    }

    /** Conflicted state set ∪ auth difference (∪ conflicted state subgraph in v2.1). */
    private Set<String> fullConflictedSet(List<Map<StateKey, String>> stateSets, Set<String> conflicted) {
        var ids = new ArrayList<Collection<String>>(stateSets.size());
        for (Map<StateKey, String> s : stateSets) ids.add(s.values());
        Set<String> full = new HashSet<>(conflicted);
        full.addAll(authChains.authDifference(ids));
        if (v21) full.addAll(authChains.conflictedStateSubgraph(conflicted));
        for (String id : full) ctx.event(id); // why: an auth chain index may name events the caller must supply
        return full;
    }

    private static boolean isPowerEvent(Pdu e) {
        if (e.isState(Pdu.POWER_LEVELS, "") || e.isState(Pdu.JOIN_RULES, "")) return true;
        if (!Pdu.MEMBER.equals(e.type()) || e.stateKey() == null || e.stateKey().equals(e.sender())) return false;
        var m = e.content().get("membership");
        return m != null && m.isString() && ("leave".equals(m.stringValue()) || "ban".equals(m.stringValue()));
    }

    private record PowerNode(String id, long power, long ts) {}

    private static final Comparator<PowerNode> POWER_ORDER = Comparator
            .comparingLong(PowerNode::power).reversed() // greater power first
            .thenComparingLong(PowerNode::ts)
            .thenComparing(PowerNode::id, CanonicalJson.CODE_POINT_ORDER);

    /** Kahn's algorithm over the auth-event edges within {@code events}, taking the smallest candidate first. */
    private List<String> reverseTopologicalPowerOrder(Set<String> events) {
        var pending = new HashMap<String, Integer>();
        var dependents = new HashMap<String, List<String>>();
        var heap = new PriorityQueue<PowerNode>(Math.max(1, events.size()), POWER_ORDER);
        for (String id : events) {
            Pdu e = ctx.event(id);
            int count = 0;
            for (String a : new LinkedHashSet<>(e.authEventIds())) {
                if (events.contains(a)) {
                    count++;
                    dependents.computeIfAbsent(a, k -> new ArrayList<>()).add(id);
                }
            }
            pending.put(id, count);
            if (count == 0) heap.add(node(e));
        }
        var order = new ArrayList<String>(events.size());
        while (!heap.isEmpty()) {
            String id = heap.poll().id();
            order.add(id);
            for (String d : dependents.getOrDefault(id, List.of())) {
                if (pending.merge(d, -1, Integer::sum) == 0) heap.add(node(ctx.event(d)));
            }
        }
        if (order.size() != events.size()) throw new ProtocolException("the auth events of the conflicted events form a cycle");
        return order;
    }

    private PowerNode node(Pdu e) {
        return new PowerNode(e.eventId(), ctx.senderPowerAtEvent(e), e.originServerTs());
    }

    private void iterativeAuthChecks(Map<StateKey, String> state, List<String> order) {
        for (String id : order) {
            Pdu e = ctx.event(id);
            if (!e.isState()) continue;
            if (ctx.allowedIn(e, state, true)) state.put(new StateKey(e.type(), e.stateKey()), id);
        }
    }

    private record MainlineNode(String id, long position, long ts) {}

    private static final Comparator<MainlineNode> MAINLINE_ORDER = Comparator
            .comparingLong((MainlineNode n) -> n.position()).reversed()
            .thenComparingLong(MainlineNode::ts)
            .thenComparing(MainlineNode::id, CanonicalJson.CODE_POINT_ORDER);

    /** Orders events by mainline position (furthest from the resolved power levels first), then ts, then ID. */
    private List<String> mainlineOrder(List<String> events, String resolvedPowerLevels) {
        var mainline = new HashMap<String, Long>();
        long i = 0;
        for (String p = resolvedPowerLevels; p != null && !mainline.containsKey(p); i++) {
            mainline.put(p, i);
            Pdu pl = ctx.authEventOf(ctx.event(p), Pdu.POWER_LEVELS, "");
            p = pl == null ? null : pl.eventId();
        }
        var nodes = new ArrayList<MainlineNode>(events.size());
        for (String id : events) {
            Pdu e = ctx.event(id);
            Pdu pl = ctx.authEventOf(e, Pdu.POWER_LEVELS, "");
            long pos = pl == null ? Long.MAX_VALUE : positionOf(pl.eventId(), mainline);
            nodes.add(new MainlineNode(id, pos, e.originServerTs()));
        }
        nodes.sort(MAINLINE_ORDER);
        var out = new ArrayList<String>(nodes.size());
        for (MainlineNode n : nodes) out.add(n.id());
        return out;
    }

    /** The mainline index of the first mainline event on the power-levels chain from {@code pl}; memoised. */
    private long positionOf(String pl, Map<String, Long> mainline) {
        var path = new ArrayList<String>();
        var onPath = new HashSet<String>();
        long result = Long.MAX_VALUE;
        String p = pl;
        while (p != null) {
            Long m = mainline.get(p);
            if (m != null) {
                result = m;
                break;
            }
            Long memo = mainlinePosition.get(p);
            if (memo != null) {
                result = memo;
                break;
            }
            if (!onPath.add(p)) break; // a cycle of power levels events: never reaches the mainline
            path.add(p);
            Pdu next = ctx.authEventOf(ctx.event(p), Pdu.POWER_LEVELS, "");
            p = next == null ? null : next.eventId();
        }
        for (String q : path) mainlinePosition.put(q, result);
        return result;
    }
}
