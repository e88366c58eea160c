package dev.myelin.syncapi;

import dev.myelin.syncapi.internal.EventFacts;
import dev.myelin.syncapi.internal.NewRoomEvent;
import dev.myelin.syncapi.internal.RoomEventSource;
import dev.myelin.syncapi.internal.RoomIndexer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stand-in for the roomserver in syncapi's tests: an in-memory event store (the only copy of event JSON, as
 * the real one) that feeds each new event to sync's indexer as the OutputRoomEvent stream would, with the
 * current-state additions and removals it caused. It does no auth checks: tests drive rooms as they please.
 */
public final class FakeRooms implements RoomEventSource {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<Long, ObjectNode> byNid = new ConcurrentHashMap<>();
    private final Map<String, EventFacts> facts = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> currentState = new ConcurrentHashMap<>();
    private final AtomicLong nids = new AtomicLong();
    private volatile RoomIndexer indexer;
    private int roomCounter;

    private final List<NewRoomEvent> held = new ArrayList<>();
    private boolean holding;

    private final Map<String, java.util.Set<String>> forgotten = new ConcurrentHashMap<>();

    /** {@code POST /rooms/{roomId}/forget} as the roomserver records it (a later membership un-forgets). */
    public void forget(String roomId, String userId) {
        forgotten.computeIfAbsent(userId, u -> ConcurrentHashMap.newKeySet()).add(roomId);
    }

    @Override
    public java.util.Set<String> forgottenRooms(String userId) {
        return java.util.Set.copyOf(forgotten.getOrDefault(userId, java.util.Set.of()));
    }

    public void feed(RoomIndexer indexer) {
        this.indexer = indexer;
    }

    @Override
    public long streamPosition() {
        return nids.get(); // why: one stream record per stored event, as the roomserver writes them
    }

    /** From now on events are stored but not fed to the indexer, as if the stream to sync were slow. */
    public synchronized void holdIndexing() {
        holding = true;
    }

    /** Feeds the held events to the indexer and stops holding. */
    public synchronized void releaseIndexing() {
        holding = false;
        held.forEach(indexer::index);
        held.clear();
        indexer.streamApplied(nids.get());
    }

    @Override
    public Optional<EventFacts> facts(String eventId) {
        return Optional.ofNullable(facts.get(eventId));
    }

    @Override
    public Optional<ObjectNode> clientEvent(long eventNid) {
        ObjectNode e = byNid.get(eventNid);
        return e == null ? Optional.empty() : Optional.of(e.deepCopy());
    }

    @Override
    public Optional<ObjectNode> federationEvent(long eventNid) {
        ObjectNode e = byNid.get(eventNid);
        if (e == null) return Optional.empty();
        ObjectNode pdu = e.deepCopy();
        pdu.remove("unsigned");
        pdu.put("depth", eventNid);
        pdu.putArray("prev_events");
        pdu.putArray("auth_events");
        return Optional.of(pdu);
    }

    /** A new room created by {@code creator} (create event and the creator's join). */
    public synchronized String createRoom(String creator) {
        String roomId = "!room" + (++roomCounter) + ":test.local";
        currentState.put(roomId, new LinkedHashMap<>());
        state(roomId, creator, "m.room.create", "", Map.of("room_version", "11"));
        member(roomId, creator, creator, "join");
        return roomId;
    }

    public String member(String roomId, String sender, String target, String membership) {
        return state(roomId, sender, "m.room.member", target, Map.of("membership", membership));
    }

    public String join(String roomId, String user) { return member(roomId, user, user, "join"); }

    public String leave(String roomId, String user) { return member(roomId, user, user, "leave"); }

    public String message(String roomId, String sender, String body) {
        return send(roomId, sender, "m.room.message", null, Map.of("msgtype", "m.text", "body", body), null, null);
    }

    public String state(String roomId, String sender, String type, String stateKey, Map<String, ?> content) {
        return send(roomId, sender, type, stateKey, content, null, null);
    }

    /** Stores one event and feeds it to the indexer; returns its event ID. */
    public synchronized String send(String roomId, String sender, String type, String stateKey, Map<String, ?> content,
                                    String deviceId, String txnId) {
        long nid = nids.incrementAndGet();
        String eventId = "$e" + nid;
        ObjectNode event = JSON.createObjectNode();
        event.put("event_id", eventId);
        event.put("room_id", roomId);
        event.put("sender", sender);
        event.put("type", type);
        if (stateKey != null) event.put("state_key", stateKey);
        event.set("content", JSON.valueToTree(content));
        event.put("origin_server_ts", 1_700_000_000_000L + nid);
        event.putObject("unsigned");
        byNid.put(nid, event);
        if ("m.room.redaction".equals(type) && event.path("content").path("redacts").isString()) {
            EventFacts target = facts.get(event.path("content").path("redacts").asString());
            if (target != null) {
                ObjectNode redacted = byNid.get(target.eventNid());
                redacted.putObject("content");
                ((ObjectNode) redacted.get("unsigned")).set("redacted_because", event.deepCopy());
            }
        }
        JsonNode url = event.path("content").get("url");
        String membership = "m.room.member".equals(type) ? event.path("content").path("membership").asString(null) : null;
        if (membership != null) {
            java.util.Set<String> mine = forgotten.get(stateKey);
            if (mine != null) mine.remove(roomId);
        }
        String visibility = "m.room.history_visibility".equals(type)
                ? event.path("content").path("history_visibility").asString(null) : null;
        facts.put(eventId, new EventFacts(nid, eventId, roomId, type, stateKey, sender, membership, visibility,
                url != null && url.isString(),
                event.path("content").path("m.relates_to").path("rel_type").asString(null),
                event.path("content").path("m.relates_to").path("event_id").asString(null),
                "m.room.redaction".equals(type) ? event.path("content").path("redacts").asString(null) : null,
                membership == null ? null : event.path("content").path("displayname").asString(null),
                membership == null ? null : event.path("content").path("avatar_url").asString(null),
                "m.room.join_rules".equals(type) ? event.path("content").path("join_rule").asString(null) : null,
                EventFacts.searchKeyOf(type), EventFacts.searchKeyOf(type) == null ? null
                        : event.path("content").path(EventFacts.searchKeyOf(type).substring(8)).asString(null)));
        List<String> adds = new ArrayList<>();
        List<String> removes = new ArrayList<>();
        if (stateKey != null) {
            String previous = currentState.get(roomId).put(type + '\0' + stateKey, eventId);
            if (previous != null) removes.add(previous);
            adds.add(eventId);
        }
        var newEvent = new NewRoomEvent(roomId, eventId, adds, removes, deviceId, txnId);
        if (holding) held.add(newEvent);
        else if (indexer != null) {
            indexer.index(newEvent);
            indexer.streamApplied(nid);
        }
        return eventId;
    }
}
