package dev.myelin.protocol.stateres;

import dev.myelin.protocol.auth.RoomBuilder;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A large synthetic room DAG with conflicts, for state resolution tests and benchmarks. A common trunk (create,
 * admin join, power levels, public join rules, {@code baseMembers} joins) forks into {@code branches} concurrent
 * branches; each branch then sends {@code eventsPerBranch} state events chosen at random (seeded): custom state,
 * topics, joins of new users, self-leaves, kicks and bans by the admin, and power level changes. Every state event
 * sent on a branch ends up in the conflicted state set (its key differs between branches or is missing from some),
 * and the membership and power level events also make up the auth difference.
 *
 * <p>Usage: {@code SyntheticRoom room = SyntheticRoom.generate(RoomVersions.V11, 5_000, 2, 42L);} then
 * {@code StateResolution.resolve(room.version(), room.stateSets(), room.lookup(), AuthRules.standard())}.
 */
public final class SyntheticRoom {

    public static final String ADMIN = "@admin:example.org";

    private final RoomVersion version;
    private final Map<String, Pdu> events;
    private final List<Map<StateKey, String>> stateSets;

    private SyntheticRoom(RoomVersion version, Map<String, Pdu> events, List<Map<StateKey, String>> stateSets) {
        this.version = version;
        this.events = events;
        this.stateSets = stateSets;
    }

    /** The room with {@code branches} branches of {@code eventsPerBranch} state events each, from 20 base members. */
    public static SyntheticRoom generate(RoomVersion version, int eventsPerBranch, int branches, long seed) {
        return generate(version, eventsPerBranch, branches, 20, seed);
    }

    public static SyntheticRoom generate(RoomVersion version, int eventsPerBranch, int branches, int baseMembers, long seed) {
        var random = new Random(seed);
        RoomBuilder trunk = RoomBuilder.create(version, ADMIN);
        trunk.member(ADMIN, ADMIN, "join").send();
        trunk.event(Pdu.POWER_LEVELS, "", ADMIN).content(powerLevels(version, null, 0)).send();
        trunk.event(Pdu.JOIN_RULES, "", ADMIN).content("{\"join_rule\":\"public\"}").send();
        var baseUsers = new ArrayList<String>();
        for (int i = 0; i < baseMembers; i++) {
            String user = "@base" + i + ":s" + (i % 5) + ".example.org";
            trunk.member(user, user, "join").send();
            baseUsers.add(user);
        }
        var sets = new ArrayList<Map<StateKey, String>>();
        int userCounter = 0;
        for (int b = 0; b < branches; b++) {
            RoomBuilder branch = trunk.fork();
            var joined = new ArrayList<>(baseUsers);
            for (int i = 0; i < eventsPerBranch; i++) {
                int op = random.nextInt(100);
                if (op < 40 || joined.size() < 3) {
                    String sender = joined.isEmpty() ? ADMIN : joined.get(random.nextInt(joined.size()));
                    branch.event("m.synthetic", "k" + random.nextInt(Math.max(1, eventsPerBranch)), sender)
                            .content("{\"v\":" + random.nextInt() + "}").send();
                } else if (op < 50) {
                    String sender = joined.get(random.nextInt(joined.size()));
                    branch.event("m.room.topic", "", sender).content("{\"topic\":\"t" + random.nextInt() + "\"}").send();
                } else if (op < 75) {
                    String user = "@u" + (userCounter++) + "b" + b + ":s" + (userCounter % 7) + ".example.org";
                    branch.member(user, user, "join").send();
                    joined.add(user);
                } else if (op < 83) {
                    String user = joined.remove(random.nextInt(joined.size()));
                    branch.member(user, user, "leave").send();
                } else if (op < 92) {
                    String user = joined.remove(random.nextInt(joined.size()));
                    branch.member(ADMIN, user, random.nextBoolean() ? "leave" : "ban").send();
                } else {
                    String user = joined.get(random.nextInt(joined.size()));
                    branch.event(Pdu.POWER_LEVELS, "", ADMIN).content(powerLevels(version, user, 1 + random.nextInt(50))).send();
                }
            }
            sets.add(branch.state());
        }
        return new SyntheticRoom(version, trunk.events(), List.copyOf(sets));
    }

    private static String powerLevels(RoomVersion version, String user, int level) {
        var users = new StringBuilder("{");
        if (!version.privilegedCreators()) users.append('"').append(ADMIN).append("\":100");
        if (user != null) users.append(users.length() > 1 ? "," : "").append('"').append(user).append("\":").append(level);
        users.append('}');
        return "{\"state_default\":0,\"users\":" + users + "}";
    }

    public RoomVersion version() {
        return version;
    }

    /** Every event of the room, by event ID. */
    public Map<String, Pdu> events() {
        return events;
    }

    public EventLookup lookup() {
        return events::get;
    }

    /** The state at the end of each branch. */
    public List<Map<StateKey, String>> stateSets() {
        return stateSets;
    }
}
