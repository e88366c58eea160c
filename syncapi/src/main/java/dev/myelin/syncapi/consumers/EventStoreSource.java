package dev.myelin.syncapi.consumers;

import dev.myelin.protocol.event.Redaction;
import dev.myelin.roomserver.api.ClientEvents;
import dev.myelin.roomserver.api.EventStore;
import dev.myelin.roomserver.api.StoredEvent;
import dev.myelin.syncapi.internal.EventFacts;
import dev.myelin.syncapi.internal.RoomEventSource;
import java.util.Optional;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Sync's view of the roomserver's read-only {@link EventStore}: facts to index, client JSON to serve. */
public final class EventStoreSource implements RoomEventSource {
    private final EventStore store;
    private final Predicate<String> erasedSenders;

    public EventStoreSource(EventStore store) {
        this(store, sender -> false);
    }

    /**
     * A source that serves the events of erased users ({@code erasedSenders}: local users who deactivated with
     * erasure) in redacted form, as the roomserver does.
     */
    public EventStoreSource(EventStore store, Predicate<String> erasedSenders) {
        this.store = store;
        this.erasedSenders = erasedSenders;
    }

    @Override
    public Optional<EventFacts> facts(String eventId) {
        return store.event(eventId).map(EventStoreSource::facts);
    }

    @Override
    public void preload(java.util.Collection<Long> eventNids) {
        // why: the store keeps what it read in its cache, which the per-event calls that follow read from
        store.events(eventNids);
    }

    @Override
    public Optional<ObjectNode> clientEvent(long eventNid) {
        return store.event(eventNid).map(e -> ClientEvents.format(e, id -> store.event(id).orElse(null),
                erasedSenders.test(e.pdu().sender())));
    }

    @Override
    public Optional<ObjectNode> federationEvent(long eventNid) {
        return store.event(eventNid).map(e -> e.redactedBy() != null || erasedSenders.test(e.pdu().sender())
                ? Redaction.redact(e.pdu().roomVersion(), e.pdu().json()) : e.pdu().json().deepCopy());
    }

    static EventFacts facts(StoredEvent e) {
        // why: a target that arrived after its redaction is redacted from the start: its relation, search text and
        // profile fields must never enter sync's indexes
        var pdu = e.effectivePdu();
        String membership = null;
        if ("m.room.member".equals(pdu.type())) {
            JsonNode m = pdu.content().get("membership");
            membership = m != null && m.isString() ? m.stringValue() : null;
        }
        String visibility = null;
        if ("m.room.history_visibility".equals(pdu.type())) {
            JsonNode v = pdu.content().get("history_visibility");
            visibility = v != null && v.isString() ? v.stringValue() : null;
        }
        JsonNode url = pdu.content().get("url");
        String searchKey = EventFacts.searchKeyOf(pdu.type());
        String relType = null;
        String relatesTo = null;
        JsonNode relates = pdu.content().get("m.relates_to");
        if (relates != null && relates.path("rel_type").isString() && relates.path("event_id").isString()) {
            relType = relates.get("rel_type").stringValue();
            relatesTo = relates.get("event_id").stringValue();
        }
        return new EventFacts(e.eventNid(), pdu.eventId(), pdu.roomId(), pdu.type(), pdu.stateKey(), pdu.sender(),
                membership, visibility, url != null && url.isString(), relType, relatesTo,
                "m.room.redaction".equals(pdu.type()) ? pdu.redacts() : null,
                membership == null ? null : text(pdu.content(), "displayname"),
                membership == null ? null : text(pdu.content(), "avatar_url"),
                "m.room.join_rules".equals(pdu.type()) ? text(pdu.content(), "join_rule") : null,
                searchKey, searchKey == null ? null : text(pdu.content(), searchKey.substring("content.".length())));
    }

    private static String text(JsonNode content, String field) {
        JsonNode v = content.get(field);
        return v != null && v.isString() ? v.stringValue() : null;
    }

    @Override
    public java.util.Set<String> forgottenRooms(String userId) {
        return store.forgottenRooms(userId);
    }

    @Override
    public long streamPosition() {
        return store.outputPosition();
    }
}
