package dev.myelin.syncapi.todevice;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.stream.StreamHandler;
import dev.myelin.syncapi.api.SyncExtension;
import dev.myelin.syncapi.api.SyncExtensionRequest;
import dev.myelin.syncapi.api.SyncMemberships;
import dev.myelin.syncapi.api.SyncWaker;
import dev.myelin.syncapi.internal.EventFacts;
import dev.myelin.syncapi.internal.NewRoomEvent;
import dev.myelin.syncapi.internal.RoomEventSource;
import dev.myelin.userapi.keys.KeyApi;
import dev.myelin.userapi.keys.OutputKeyChangeEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Device-list tracking for {@code /sync} (https://spec.matrix.org/v1.19/client-server-api/#tracking-the-device-list-for-a-user):
 * a log of whose devices others must re-query — a user's keys changed (from the key server's
 * {@code OutputKeyChangeEvent} stream), a user joined or left a room (from the room event stream) — turned per syncing
 * user into {@code device_lists.changed / left} for the users they share (or stopped sharing) a room with. Also adds
 * the syncing device's {@code device_one_time_keys_count} and {@code device_unused_fallback_key_types} to every response.
 */
public final class DeviceLists implements SyncExtension {
    static final String KEYS = "keys";
    static final String JOIN = "join";
    static final String LEAVE = "leave";
    /** The durable consumer name of the key change stream. */
    public static final String KEY_CHANGES_CONSUMER = "syncapi-device-lists";

    private final Database db;
    private final KeyApi keys;
    private final SyncMemberships memberships;
    private final SyncWaker waker;
    private final RoomEventSource events;

    DeviceLists(Database db, KeyApi keys, SyncMemberships memberships, SyncWaker waker, RoomEventSource events) {
        this.db = db;
        this.keys = keys;
        this.memberships = memberships;
        this.waker = waker;
        this.events = events;
    }

    /**
     * The consumer of {@code OutputKeyChangeEvent}: logs the change, empties a deleted device's to-device inbox, and
     * wakes whoever shares a room with the user.
     */
    public StreamHandler<OutputKeyChangeEvent> keyChangeHandler() {
        return delivery -> {
            OutputKeyChangeEvent change = delivery.message();
            String user = change.userId();
            boolean applied = db.write(tx -> {
                if (!delivery.markApplied(tx)) return false;
                E2eeTables.insertChange(tx, user, null, KEYS);
                if (OutputKeyChangeEvent.DEVICE_DELETED.equals(change.change()) && change.deviceId() != null) {
                    // why: nobody can ever acknowledge the inbox of a deleted device
                    E2eeTables.deleteMessages(tx, user, change.deviceId(), Long.MAX_VALUE);
                }
                return true;
            });
            if (applied) {
                waker.wakeUser(user);
                for (String room : memberships.joinedRooms(user)) memberships.joinedUsers(room).forEach(waker::wakeUser);
            }
        };
    }

    /**
     * The consumer of the room event stream (as syncapi sees it): logs joins and leaves. {@code markApplied} records
     * the stream position in the same transaction (pass the delivery's), so a redelivered event is logged once.
     */
    public void roomEvent(NewRoomEvent e, MarkApplied markApplied) {
        List<String[]> changes = new ArrayList<>();
        for (String id : e.addsStateEventIds()) {
            Optional<EventFacts> facts = events.facts(id);
            if (facts.isEmpty() || !"m.room.member".equals(facts.get().type()) || facts.get().stateKey() == null) continue;
            String membership = facts.get().membership();
            String before = previousMembership(e, facts.get().stateKey());
            boolean joinedNow = "join".equals(membership);
            boolean joinedBefore = "join".equals(before);
            if (joinedNow && !joinedBefore) changes.add(new String[] {facts.get().stateKey(), JOIN});
            if (!joinedNow && joinedBefore) changes.add(new String[] {facts.get().stateKey(), LEAVE});
        }
        // why: nothing to record, and doing nothing twice is harmless: no transaction (most events are not joins)
        if (changes.isEmpty()) return;
        boolean applied = db.write(tx -> {
            if (!markApplied.mark(tx)) return false;
            for (String[] c : changes) E2eeTables.insertChange(tx, c[0], e.roomId(), c[1]);
            return !changes.isEmpty();
        });
        if (applied) {
            memberships.joinedUsers(e.roomId()).forEach(waker::wakeUser);
            for (String[] c : changes) waker.wakeUser(c[0]);
        }
    }

    /** Records a stream position as applied in the consumer's transaction; false when it already was. */
    @FunctionalInterface
    public interface MarkApplied {
        boolean mark(java.sql.Connection tx) throws java.sql.SQLException;
    }

    private String previousMembership(NewRoomEvent e, String stateKey) {
        for (String id : e.removesStateEventIds()) {
            Optional<EventFacts> facts = events.facts(id);
            if (facts.isPresent() && "m.room.member".equals(facts.get().type()) && stateKey.equals(facts.get().stateKey())) {
                return facts.get().membership();
            }
        }
        return null;
    }

    @Override
    public String tokenKey() { return "dl"; }

    @Override
    public long currentPosition() {
        return db.read(c -> E2eeTables.head(c, E2eeTables.DEVICE_LISTS));
    }

    /** Changed and left users for {@code userId} over {@code (since, upTo]} of the log. */
    record Answer(Set<String> changed, Set<String> left) {}

    Answer changes(String userId, long since, long upTo, Set<String> joinedRooms, Set<String> newlyJoined, Set<String> newlyLeft) {
        Set<String> changed = new LinkedHashSet<>();
        Set<String> left = new LinkedHashSet<>();
        for (E2eeTables.Change c : db.read(tx -> E2eeTables.changes(tx, since, upTo))) {
            String other = c.userId();
            switch (c.kind()) {
                case KEYS -> {
                    if (other.equals(userId) || memberships.shareARoom(userId, other)) changed.add(other);
                }
                case JOIN -> {
                    if (!other.equals(userId) && joinedRooms.contains(c.roomId())) changed.add(other);
                }
                case LEAVE -> {
                    if (!other.equals(userId) && (joinedRooms.contains(c.roomId()) || newlyLeft.contains(c.roomId()))) left.add(other);
                }
                default -> { }
            }
        }
        for (String room : newlyJoined) {
            for (String other : memberships.joinedUsers(room)) if (!other.equals(userId)) changed.add(other);
        }
        for (String room : newlyLeft) {
            for (String other : memberships.joinedUsers(room)) if (!other.equals(userId)) left.add(other);
        }
        // why: only users we no longer share any room with are "left"; the rest stay tracked
        left.removeIf(other -> memberships.shareARoom(userId, other));
        changed.removeAll(left);
        return new Answer(changed, left);
    }

    @Override
    public boolean fill(SyncExtensionRequest request, ObjectNode response) {
        KeyApi.KeyCounts counts = keys.counts(request.userId(), request.deviceId());
        ObjectNode countsNode = response.putObject("device_one_time_keys_count");
        counts.oneTimeKeyCounts().forEach(countsNode::put);
        ArrayNode fallback = response.putArray("device_unused_fallback_key_types");
        counts.unusedFallbackKeyTypes().forEach(fallback::add);
        // why: initial() is also true for full_state=true with a since token; that response still moves the client
        // past (since, upTo], so its changes must be told (since is 0 only without a token or before any change)
        if (request.initial() && request.since() == 0) return false;
        Answer a = changes(request.userId(), request.since(), request.upTo(), request.joinedRoomIds(),
                request.newlyJoinedRoomIds(), request.newlyLeftRoomIds());
        if (a.changed().isEmpty() && a.left().isEmpty()) return false;
        ObjectNode lists = response.putObject("device_lists");
        ArrayNode changedNode = lists.putArray("changed");
        a.changed().forEach(changedNode::add);
        ArrayNode leftNode = lists.putArray("left");
        a.left().forEach(leftNode::add);
        return true;
    }
}
