package dev.myelin.protocol.stateres;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.auth.AuthRules;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersion;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * State resolution v1 (room version 1): unconflicted keys first, then power levels, join rules and members
 * resolved in turn by depth and {@code sha1(event_id)} with auth checks against the growing state, then the rest.
 * Events are checked "in state R" only (no fallback to their own auth events, unlike v2). See the spec's "State
 * resolution" of room version 1.
 */
final class StateResolverV1 {

    private final ResolutionContext ctx;
    private final Map<String, String> sha1 = new HashMap<>();

    StateResolverV1(RoomVersion version, EventLookup lookup, AuthRules rules) {
        this.ctx = new ResolutionContext(version, lookup, rules);
    }

    Map<StateKey, String> resolve(List<Map<StateKey, String>> stateSets) {
        // why: in v1 a conflict is only "different event IDs for the same key"; a key missing from some sets is not one
        var resolved = new HashMap<StateKey, String>();
        var conflicts = new TreeMap<StateKey, Set<String>>();
        for (Map<StateKey, String> s : stateSets) {
            for (Map.Entry<StateKey, String> e : s.entrySet()) {
                Set<String> values = conflicts.get(e.getKey());
                if (values != null) {
                    values.add(e.getValue());
                    continue;
                }
                String existing = resolved.putIfAbsent(e.getKey(), e.getValue());
                if (existing != null && !existing.equals(e.getValue())) {
                    resolved.remove(e.getKey());
                    conflicts.put(e.getKey(), new HashSet<>(List.of(existing, e.getValue())));
                }
            }
        }
        if (conflicts.isEmpty()) return resolved;

        for (String type : List.of(Pdu.POWER_LEVELS, Pdu.JOIN_RULES, Pdu.MEMBER)) {
            for (Map.Entry<StateKey, Set<String>> c : conflicts.entrySet()) {
                if (c.getKey().type().equals(type)) resolveAuthConflict(resolved, c.getKey(), c.getValue());
            }
        }
        for (Map.Entry<StateKey, Set<String>> c : conflicts.entrySet()) {
            String type = c.getKey().type();
            if (!type.equals(Pdu.POWER_LEVELS) && !type.equals(Pdu.JOIN_RULES) && !type.equals(Pdu.MEMBER)) {
                resolveOtherConflict(resolved, c.getKey(), c.getValue());
            }
        }
        return resolved;
    }

    /** Ascending depth, then descending sha1(event_id): the first goes in, each next one while it passes auth. */
    private void resolveAuthConflict(Map<StateKey, String> resolved, StateKey key, Set<String> ids) {
        List<Pdu> list = sorted(ids, Comparator.comparingLong(Pdu::depth)
                .thenComparing(Comparator.comparing((Pdu e) -> sha1(e.eventId())).reversed()));
        resolved.put(key, list.get(0).eventId());
        for (int i = 1; i < list.size(); i++) {
            if (!ctx.allowedIn(list.get(i), resolved, false)) return;
            resolved.put(key, list.get(i).eventId());
        }
    }

    /**
     * Highest depth, then lowest sha1(event_id), that passes auth. When none passes, the last of that order
     * (as Synapse does; the spec does not say).
     */
    private void resolveOtherConflict(Map<StateKey, String> resolved, StateKey key, Set<String> ids) {
        List<Pdu> list = sorted(ids, Comparator.comparingLong(Pdu::depth).reversed()
                .thenComparing((Pdu e) -> sha1(e.eventId())));
        for (Pdu e : list) {
            if (ctx.allowedIn(e, resolved, false)) {
                resolved.put(key, e.eventId());
                return;
            }
        }
        resolved.put(key, list.get(list.size() - 1).eventId());
    }

    private List<Pdu> sorted(Set<String> ids, Comparator<Pdu> order) {
        var list = new ArrayList<Pdu>(ids.size());
        for (String id : new TreeSet<>(ids)) list.add(ctx.event(id));
        list.sort(order);
        return list;
    }

    private String sha1(String eventId) {
        return sha1.computeIfAbsent(eventId, id -> {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(id.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new ProtocolException("SHA-1 is not available", e);
            }
        });
    }
}
