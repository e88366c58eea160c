package dev.myelin.protocol.stateres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.auth.AuthRules;
import dev.myelin.protocol.auth.RoomBuilder;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Properties of state resolution and the auth rules over random synthetic rooms and random mutations of them. */
class StateResolutionPropertiesTest {

    static final List<RoomVersion> VERSIONS = List.of(RoomVersions.V1, RoomVersions.V2, RoomVersions.V6,
            RoomVersions.V10, RoomVersions.V11, RoomVersions.V12);

    static RoomVersion version(int index) {
        return VERSIONS.get(Math.floorMod(index, VERSIONS.size()));
    }

    static Map<StateKey, String> resolve(RoomVersion v, List<Map<StateKey, String>> sets, Map<String, Pdu> events) {
        return StateResolution.resolve(v, sets, events::get, AuthRules.standard());
    }

    /** The same maps with another iteration order. */
    static <K, V> Map<K, V> shuffled(Map<K, V> map, Random random) {
        var entries = new ArrayList<>(map.entrySet());
        Collections.shuffle(entries, random);
        var out = new LinkedHashMap<K, V>();
        for (var e : entries) out.put(e.getKey(), e.getValue());
        return out;
    }

    @Property(tries = 40)
    void theResultDoesNotDependOnTheOrderOfTheStatesOrOfTheLookup(@ForAll long seed, @ForAll @IntRange(min = 0, max = 5) int vi,
            @ForAll @IntRange(min = 2, max = 4) int branches, @ForAll @IntRange(min = 1, max = 30) int perBranch) {
        RoomVersion v = version(vi);
        SyntheticRoom room = SyntheticRoom.generate(v, perBranch, branches, 5, seed);
        Map<StateKey, String> expected = resolve(v, room.stateSets(), room.events());

        var random = new Random(seed);
        var sets = new ArrayList<Map<StateKey, String>>();
        for (var s : room.stateSets()) sets.add(shuffled(s, random));
        Collections.shuffle(sets, random);
        assertThat(resolve(v, sets, shuffled(room.events(), random))).isEqualTo(expected);
    }

    @Property(tries = 40)
    void unconflictedStateIsKept(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int vi,
            @ForAll @IntRange(min = 2, max = 4) int branches, @ForAll @IntRange(min = 1, max = 30) int perBranch) {
        RoomVersion v = version(vi); // v2 and later
        SyntheticRoom room = SyntheticRoom.generate(v, perBranch, branches, 5, seed);
        Map<StateKey, String> resolved = resolve(v, room.stateSets(), room.events());
        var first = room.stateSets().get(0);
        for (var e : first.entrySet()) {
            boolean unconflicted = room.stateSets().stream().allMatch(s -> e.getValue().equals(s.get(e.getKey())));
            if (unconflicted) assertThat(resolved).containsEntry(e.getKey(), e.getValue());
        }
    }

    /** The definitions of the spec computed naively: full auth chains per state, union minus intersection. */
    static final class NaiveAuthChains implements AuthChains {
        final Map<String, Pdu> events;

        NaiveAuthChains(Map<String, Pdu> events) {
            this.events = events;
        }

        Set<String> chain(Collection<String> starts) {
            var seen = new HashSet<String>();
            var todo = new ArrayList<String>();
            for (String s : starts) todo.addAll(events.get(s).authEventIds());
            while (!todo.isEmpty()) {
                String id = todo.remove(todo.size() - 1);
                if (seen.add(id)) todo.addAll(events.get(id).authEventIds());
            }
            return seen;
        }

        @Override
        public Set<String> authDifference(List<? extends Collection<String>> stateSets) {
            var union = new HashSet<String>();
            Set<String> intersection = null;
            for (var s : stateSets) {
                Set<String> c = chain(s);
                union.addAll(c);
                if (intersection == null) {
                    intersection = new HashSet<>(c);
                } else {
                    intersection.retainAll(c);
                }
            }
            union.removeAll(intersection);
            return union;
        }

        @Override
        public Set<String> conflictedStateSubgraph(Set<String> conflicted) {
            var out = new HashSet<>(conflicted);
            for (String c : conflicted) {
                for (String n : chain(List.of(c))) {
                    var below = chain(List.of(n));
                    below.retainAll(conflicted);
                    if (conflicted.contains(n) || !below.isEmpty()) out.add(n);
                }
            }
            return out;
        }
    }

    @Property(tries = 25)
    void theWalkingAuthChainsAgreeWithTheNaiveDefinitions(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int vi,
            @ForAll @IntRange(min = 2, max = 3) int branches, @ForAll @IntRange(min = 1, max = 20) int perBranch) {
        RoomVersion v = version(vi);
        SyntheticRoom room = SyntheticRoom.generate(v, perBranch, branches, 4, seed);
        Map<StateKey, String> walking = resolve(v, room.stateSets(), room.events());
        Map<StateKey, String> naive = StateResolution.resolve(v, room.stateSets(), room.lookup(), AuthRules.standard(),
                new NaiveAuthChains(room.events()));
        assertThat(walking).isEqualTo(naive);
        var conflicted = new HashSet<String>();
        for (var s : room.stateSets()) conflicted.addAll(s.values());
        for (var s : room.stateSets()) {
            for (var e : s.entrySet()) {
                if (room.stateSets().stream().allMatch(o -> e.getValue().equals(o.get(e.getKey())))) conflicted.remove(e.getValue());
            }
        }
        var walker = new WalkingAuthChains(new ResolutionContext(v, room.lookup(), AuthRules.standard()));
        var ids = room.stateSets().stream().map(Map::values).toList();
        var oracle = new NaiveAuthChains(room.events());
        assertThat(walker.authDifference(ids)).isEqualTo(oracle.authDifference(ids));
        assertThat(walker.conflictedStateSubgraph(conflicted)).isEqualTo(oracle.conflictedStateSubgraph(conflicted));
    }

    @Property(tries = 150)
    void mutatedEventsOnlyEverCauseProtocolExceptions(@ForAll long seed, @ForAll @IntRange(min = 0, max = 5) int vi) {
        RoomVersion v = version(vi);
        var random = new Random(seed);
        SyntheticRoom room = SyntheticRoom.generate(v, 8, 2, 4, seed);
        var events = new HashMap<>(room.events());
        var ids = new ArrayList<>(events.keySet());
        Collections.sort(ids);
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            String id = ids.get(random.nextInt(ids.size()));
            if (!events.containsKey(id)) continue;
            Pdu mutated = mutate(v, events.get(id), random);
            if (mutated == null) {
                events.remove(id);
            } else {
                events.put(id, mutated);
            }
        }
        try {
            resolve(v, room.stateSets(), events);
        } catch (ProtocolException expected) {
            // a typed failure is fine
        }
        for (String id : ids) {
            Pdu e = events.get(id);
            if (e == null) continue;
            var auth = new ArrayList<Pdu>();
            for (String a : e.authEventIds()) {
                Pdu p = events.get(a);
                if (p != null) auth.add(p);
            }
            // why: a mutation may empty room_id; the test's own lookup must not be what throws
            Pdu create = e.roomId().isEmpty() ? null : events.get("$" + e.roomId().substring(1));
            try {
                AuthRules.standard().checkAuthEvents(e, auth, create);
            } catch (ProtocolException expected) {
                // a typed failure is fine
            }
        }
    }

    /** The event with one random field replaced, removed or retyped; {@code null} when it no longer parses. */
    static Pdu mutate(RoomVersion v, Pdu e, Random random) {
        ObjectNode json = e.json().deepCopy();
        ObjectNode target = random.nextBoolean() && json.get("content") instanceof ObjectNode c ? c : json;
        var names = new ArrayList<String>();
        target.propertyNames().forEach(names::add);
        names.addAll(List.of("membership", "users", "join_rule", "third_party_invite", "creator", "additional_creators",
                "join_authorised_via_users_server", "events", "notifications", "ban", "state_key", "auth_events"));
        String field = names.get(random.nextInt(names.size()));
        if (random.nextInt(4) == 0) {
            target.remove(field);
        } else {
            target.set(field, randomValue(random, 2));
        }
        try {
            return Pdu.parse(v, e.eventId(), json);
        } catch (ProtocolException notParseable) {
            return null;
        }
    }

    static JsonNode randomValue(Random random, int depth) {
        var json = RoomBuilder.JSON;
        return switch (random.nextInt(depth > 0 ? 9 : 6)) {
            case 0 -> json.getNodeFactory().nullNode();
            case 1 -> json.getNodeFactory().numberNode(random.nextLong());
            case 2 -> json.getNodeFactory().numberNode(random.nextDouble() * 1000);
            case 3 -> json.getNodeFactory().stringNode(List.of("join", "leave", "ban", "invite", "knock", "@x:y", "50", " 7 ", "").get(random.nextInt(9)));
            case 4 -> json.getNodeFactory().booleanNode(random.nextBoolean());
            case 5 -> json.getNodeFactory().stringNode("$e" + random.nextInt(40) + ":example.org");
            case 6 -> {
                ArrayNode arr = json.createArrayNode();
                for (int i = random.nextInt(3); i > 0; i--) arr.add(randomValue(random, depth - 1));
                yield arr;
            }
            default -> {
                ObjectNode obj = json.createObjectNode();
                for (int i = random.nextInt(3); i > 0; i--) {
                    obj.set(List.of("signed", "token", "mxid", "@a:b", "room", "signatures").get(random.nextInt(6)),
                            randomValue(random, depth - 1));
                }
                yield obj;
            }
        };
    }
}
