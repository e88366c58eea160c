package dev.myelin.syncapi.internal;

import dev.myelin.syncapi.storage.RoomEventsTable;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads events from the event store in the form a given client receives them: {@code unsigned.age}, the
 * sender's own {@code transaction_id}, and the filter's {@code event_fields}; or stripped (invite state).
 */
public final class EventRenderer {
    private final RoomEventSource events;
    private final Clock clock;

    public EventRenderer(RoomEventSource events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    /** Who the event is rendered for, and in which format ({@code federation}: the PDU itself). */
    public record Viewer(String userId, String deviceId, List<String> eventFields, boolean federationFormat) {
        public Viewer(String userId, String deviceId, List<String> eventFields) {
            this(userId, deviceId, eventFields, false);
        }
    }

    /** Reads the events a response is about to render in one go (see {@link RoomEventSource#preload}). */
    public void preload(java.util.Collection<Long> eventNids) {
        if (eventNids.size() > 1) events.preload(eventNids);
    }

    /** The event for {@code viewer}; {@code row} (may be null) gives the transaction ID of a timeline event. */
    public Optional<ObjectNode> render(Viewer viewer, long eventNid, RoomEventsTable.Row row) {
        return render(viewer, eventNid, row, null);
    }

    /** As {@link #render(Viewer, long, RoomEventsTable.Row)}, with {@code unsigned.m.relations} when given. */
    public Optional<ObjectNode> render(Viewer viewer, long eventNid, RoomEventsTable.Row row, ObjectNode relations) {
        Optional<ObjectNode> found = viewer.federationFormat() ? events.federationEvent(eventNid) : events.clientEvent(eventNid);
        if (found.isEmpty()) return found;
        ObjectNode event = found.get();
        ObjectNode unsigned = event.get("unsigned") instanceof ObjectNode u ? u : event.putObject("unsigned");
        JsonNode ts = event.get("origin_server_ts");
        if (ts != null && ts.isIntegralNumber()) unsigned.put("age", Math.max(0, clock.millis() - ts.longValue()));
        if (row != null && row.txnId() != null && viewer.deviceId() != null && viewer.deviceId().equals(row.deviceId())
                && viewer.userId().equals(row.sender())) {
            unsigned.put("transaction_id", row.txnId());
        }
        if (relations != null && !relations.isEmpty()) unsigned.set("m.relations", relations);
        return Optional.of(EventFields.apply(event, viewer.eventFields()));
    }

    /** The stripped form ({@code type}, {@code state_key}, {@code sender}, {@code content}) of a state event. */
    public Optional<ObjectNode> stripped(long eventNid) {
        return events.clientEvent(eventNid).map(e -> {
            ObjectNode s = JsonNodeFactory.instance.objectNode();
            for (String k : List.of("type", "state_key", "sender", "content")) if (e.has(k)) s.set(k, e.get(k));
            return s;
        });
    }
}
