package dev.myelin.protocol.auth;

import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersion.EventFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds the events of a test room, one branch of its DAG at a time: each event gets the auth events the selection
 * algorithm picks from the branch's current state, the branch's last event as prev event, and increasing depth and
 * timestamp. {@link #fork()} starts a concurrent branch that shares the event pool.
 */
public final class RoomBuilder {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    public static final String SERVER = "example.org";

    private final RoomVersion version;
    private final Map<String, Pdu> events;
    private final AtomicLong counter;
    private final Pdu create;
    private Map<StateKey, String> state;
    private List<String> prev;
    private long depth;

    private RoomBuilder(RoomVersion version, Map<String, Pdu> events, AtomicLong counter, Pdu create,
            Map<StateKey, String> state, List<String> prev, long depth) {
        this.version = version;
        this.events = events;
        this.counter = counter;
        this.create = create;
        this.state = state;
        this.prev = prev;
        this.depth = depth;
    }

    /** A room created by {@code creator} (the create event only). */
    public static RoomBuilder create(RoomVersion version, String creator) {
        return create(version, creator, obj(version.creatorFromSender()
                ? "{\"room_version\":\"" + version.id() + "\"}"
                : "{\"creator\":\"" + creator + "\",\"room_version\":\"" + version.id() + "\"}"));
    }

    public static RoomBuilder create(RoomVersion version, String creator, ObjectNode content) {
        var events = new HashMap<String, Pdu>();
        var counter = new AtomicLong();
        String id = "$create" + Integer.toHexString(System.identityHashCode(events)) + ":" + SERVER;
        ObjectNode json = JSON.createObjectNode();
        if (!version.roomIdFromCreateEvent()) json.put("room_id", "!r" + Integer.toHexString(System.identityHashCode(counter)) + ":" + SERVER);
        json.put("type", Pdu.CREATE).put("state_key", "").put("sender", creator)
                .put("depth", 1).put("origin_server_ts", counter.incrementAndGet());
        json.set("content", content);
        json.set("prev_events", JSON.createArrayNode());
        json.set("auth_events", JSON.createArrayNode());
        signatures(json, serverOf(creator));
        Pdu create = Pdu.parse(version, id, json);
        events.put(id, create);
        var state = new HashMap<StateKey, String>();
        state.put(StateKey.of(Pdu.CREATE, ""), id);
        return new RoomBuilder(version, events, counter, create, state, List.of(id), 1);
    }

    /** The usual start: create, the creator joins, power levels (creator 100 before v12), join rules public. */
    public static RoomBuilder standard(RoomVersion version, String creator) {
        RoomBuilder room = create(version, creator);
        room.member(creator, creator, "join").send();
        room.event(Pdu.POWER_LEVELS, "", creator).content(version.privilegedCreators()
                ? "{}" : "{\"users\":{\"" + creator + "\":100}}").send();
        room.event(Pdu.JOIN_RULES, "", creator).content("{\"join_rule\":\"public\"}").send();
        return room;
    }

    /** A concurrent branch from this branch's current point; both share the pool of events. */
    public RoomBuilder fork() {
        return new RoomBuilder(version, events, counter, create, new HashMap<>(state), prev, depth);
    }

    public Event event(String type, String stateKey, String sender) {
        return new Event(type, stateKey, sender);
    }

    public Event member(String sender, String target, String membership) {
        return event(Pdu.MEMBER, target, sender).content("{\"membership\":\"" + membership + "\"}");
    }

    public Event message(String sender) {
        return event("m.room.message", null, sender).content("{\"body\":\"hi\"}");
    }

    public RoomVersion version() {
        return version;
    }

    public Pdu createEvent() {
        return create;
    }

    public String roomId() {
        return create.roomId();
    }

    /** Every event built in this room (all branches). */
    public Map<String, Pdu> events() {
        return events;
    }

    /** This branch's current state. */
    public Map<StateKey, String> state() {
        return Map.copyOf(state);
    }

    public Pdu stateEvent(String type, String stateKey) {
        String id = state.get(StateKey.of(type, stateKey));
        return id == null ? null : events.get(id);
    }

    /** The events {@code e}'s {@code auth_events} name. */
    public List<Pdu> authEventsOf(Pdu e) {
        var out = new ArrayList<Pdu>();
        for (String id : e.authEventIds()) out.add(events.get(id));
        return out;
    }

    /** The auth rules' verdict on {@code e} against its own auth events. */
    public AuthResult check(Pdu e, AuthRules rules) {
        return rules.checkAuthEvents(e, authEventsOf(e), create);
    }

    public static ObjectNode obj(String json) {
        return (ObjectNode) JSON.readTree(json);
    }

    static String serverOf(String userId) {
        return userId.substring(userId.indexOf(':') + 1);
    }

    private static void signatures(ObjectNode json, String... servers) {
        ObjectNode sigs = json.putObject("signatures");
        for (String s : servers) sigs.putObject(s).put("ed25519:a", "c2ln");
    }

    /** One event being built; {@link #build()} makes it, {@link #send()} also adds it to the branch. */
    public final class Event {
        private final String type;
        private final String stateKey;
        private final String sender;
        private ObjectNode content = JSON.createObjectNode();
        private List<String> prevEvents;
        private List<String> authEvents;
        private Long ts;
        private String id;
        private final List<String> signers = new ArrayList<>();

        private Event(String type, String stateKey, String sender) {
            this.type = type;
            this.stateKey = stateKey;
            this.sender = sender;
            signers.add(serverOf(sender));
        }

        public Event content(String json) {
            this.content = obj(json);
            return this;
        }

        public Event content(ObjectNode content) {
            this.content = content;
            return this;
        }

        public Event prev(String... ids) {
            this.prevEvents = Arrays.asList(ids);
            return this;
        }

        /** Auth events named explicitly instead of selected from the branch's state. */
        public Event auth(String... ids) {
            this.authEvents = Arrays.asList(ids);
            return this;
        }

        public Event ts(long ts) {
            this.ts = ts;
            return this;
        }

        public Event id(String id) {
            this.id = id;
            return this;
        }

        public Event signedBy(String server) {
            signers.add(server);
            return this;
        }

        public Pdu build() {
            long n = counter.incrementAndGet();
            String eventId = id != null ? id : "$e" + n + ":" + serverOf(sender);
            List<String> auth = authEvents;
            if (auth == null) {
                auth = new ArrayList<>();
                for (StateKey k : AuthEventSelection.keys(version, type, stateKey, sender, content)) {
                    String a = state.get(k);
                    if (a != null) auth.add(a);
                }
            }
            ObjectNode json = JSON.createObjectNode();
            boolean v12Create = version.roomIdFromCreateEvent() && type.equals(Pdu.CREATE);
            if (!v12Create) json.put("room_id", create.roomId());
            json.put("type", type).put("sender", sender)
                    .put("depth", depth + 1).put("origin_server_ts", ts != null ? ts : n);
            if (stateKey != null) json.put("state_key", stateKey);
            if (type.equals(Pdu.REDACTION) && content.has("redacts") && !version.redactsInContent()) {
                json.put("redacts", content.get("redacts").stringValue());
            }
            json.set("content", content);
            json.set("prev_events", refs(prevEvents != null ? prevEvents : prev));
            json.set("auth_events", refs(auth));
            signatures(json, signers.toArray(String[]::new));
            return Pdu.parse(version, eventId, json);
        }

        public Pdu send() {
            Pdu e = build();
            events.put(e.eventId(), e);
            if (e.isState()) state.put(StateKey.of(e.type(), e.stateKey()), e.eventId());
            prev = List.of(e.eventId());
            depth = e.depth();
            return e;
        }

        private ArrayNode refs(List<String> ids) {
            ArrayNode arr = JSON.createArrayNode();
            for (String i : ids) {
                if (version.eventFormat() == EventFormat.V1) {
                    ArrayNode pair = arr.addArray();
                    pair.add(i);
                    pair.addObject().put("sha256", "aGFzaA");
                } else {
                    arr.add(i);
                }
            }
            return arr;
        }
    }
}
