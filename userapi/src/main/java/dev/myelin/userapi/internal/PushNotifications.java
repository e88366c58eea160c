package dev.myelin.userapi.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.Migrations;
import dev.myelin.platform.stream.StreamProducer;
import dev.myelin.protocol.auth.PowerLevels;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.roomserver.api.EventStore;
import dev.myelin.roomserver.api.OutputRoomEvent;
import dev.myelin.roomserver.api.StoredEvent;
import dev.myelin.userapi.api.OutputNotificationData;
import dev.myelin.userapi.api.OutputNotificationData.UnreadCounts;
import dev.myelin.userapi.api.OutputReceiptEvent;
import dev.myelin.userapi.api.UserApi;
import dev.myelin.userapi.storage.NotificationsTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Push notifications (https://spec.matrix.org/v1.19/client-server-api/#push-notifications): for each new room
 * event, the push rules of each local member it concerns decide whether it notifies them; notifications are stored
 * with their thread, receipts mark them read, and every change of a user's unread counts in a room goes out on the
 * {@link OutputNotificationData} stream in the same transaction.
 *
 * <p>Cost: this runs for every member of every room on each event, so it never queries the room's state per event.
 * It keeps, per room, the joined members with their display names and the power levels, loaded once from the state
 * before an event and then moved forward by each event's state delta; and per user, the compiled push rules. Remote
 * members are skipped before any rule is looked at. It runs on a stream consumer, off the send request's path.
 */
public final class PushNotifications {

    /** The migration set of the notification tables, in the userapi database. */
    public static final String MIGRATIONS = "usernotifications";

    /** How long a read notification stays listed by {@code GET /notifications}. */
    static final Duration READ_RETENTION = Duration.ofDays(30);

    private final Database db;
    private final EventStore events;
    private final Function<String, List<StoredEvent>> stateBefore;
    private final UserApi users;
    private final StreamProducer<OutputNotificationData> counts;
    private final String localSuffix;
    private final Clock clock;
    // why: rules change rarely and are read for every member on every event; LocalUserApi invalidates on change,
    // the expiry bounds staleness when the rules were changed by another process
    private final Cache<String, PushRuleEvaluator> rules = Caffeine.newBuilder().maximumSize(50_000)
            .expireAfterWrite(Duration.ofMinutes(5)).build();
    private final Cache<String, RoomMembers> rooms = Caffeine.newBuilder().maximumSize(2_000).build();

    /**
     * @param stateBefore the room state before an event, from the roomserver (used when a room is not cached)
     * @param counts      the producer of {@link OutputNotificationData}, on this component's database
     */
    public PushNotifications(Database db, EventStore events, Function<String, List<StoredEvent>> stateBefore,
                             UserApi users, StreamProducer<OutputNotificationData> counts, Clock clock) {
        this.db = db;
        this.events = events;
        this.stateBefore = stateBefore;
        this.users = users;
        this.counts = counts;
        this.localSuffix = ":" + users.serverName();
        this.clock = clock;
        Migrations.apply(db, MIGRATIONS);
    }

    /** The push rules of {@code userId} changed: the next event evaluates the new ones. */
    public void rulesChanged(String userId) {
        rules.invalidate(userId);
    }

    /** Drops the cached state of a room (it is reloaded from the roomserver at its next event). */
    public void forgetRoom(String roomId) {
        rooms.invalidate(roomId);
    }

    /**
     * Notifications an event makes, decided before the transaction that stores them; {@code localSender} is the
     * sender when local (sending counts as reading up to the event, in its thread), else null.
     */
    public record Evaluated(String roomId, List<NotificationsTable.Row> notifications, String localSender,
                            String thread, long eventNid) {}

    /**
     * Evaluates {@code m}'s event against the push rules of every local member it concerns (joined members other
     * than the sender, and the invitee of an invite), then moves the cached room state past the event. Reads the
     * event store and the user API; call outside any transaction.
     */
    public Evaluated evaluate(OutputRoomEvent m) {
        Optional<StoredEvent> stored = events.event(m.eventId());
        if (stored.isEmpty()) throw new IllegalStateException("event " + m.eventId() + " is on the stream but not in the store");
        Pdu pdu = stored.get().pdu();
        RoomMembers room = rooms.get(m.roomId(), r -> RoomMembers.of(stateBefore.apply(m.eventId())));
        List<NotificationsTable.Row> out = new ArrayList<>();
        String thread = threadOf(pdu);
        try {
            Set<String> concerned = new LinkedHashSet<>();
            for (String member : room.joined.keySet()) if (member.endsWith(localSuffix)) concerned.add(member);
            if (Pdu.MEMBER.equals(pdu.type()) && pdu.stateKey() != null && "invite".equals(pdu.content().path("membership").asString(null))
                    && pdu.stateKey().endsWith(localSuffix)) {
                concerned.add(pdu.stateKey());
            }
            concerned.remove(pdu.sender()); // why: the spec forbids notifying users of their own events
            if (!concerned.isEmpty()) {
                PowerLevels levels = room.powerLevels();
                long senderLevel = levels == null ? 0 : levels.userLevel(pdu.sender());
                long now = clock.millis();
                for (String userId : concerned) {
                    PushRuleEvaluator evaluator = rules.get(userId, this::compile);
                    PushRuleEvaluator.RoomContext context = new PushRuleEvaluator.RoomContext(room.joined.size(),
                            room.joined.get(userId), senderLevel, key -> levels == null ? 50 : levels.notificationLevel(key));
                    Optional<PushRuleEvaluator.Outcome> outcome = evaluator.evaluate(pdu.json(), context);
                    if (outcome.isEmpty() || !outcome.get().notifies()) continue;
                    out.add(new NotificationsTable.Row(0, userId, m.roomId(), thread, m.eventId(), m.eventNid(), now,
                            outcome.get().highlight(), Json.write(outcome.get().actions()), false));
                }
            }
            if (!room.advance(m, events)) rooms.invalidate(m.roomId());
        } catch (RuntimeException e) {
            rooms.invalidate(m.roomId()); // why: a redelivery must start from state the roomserver gives again
            throw e;
        }
        String localSender = pdu.sender().endsWith(localSuffix) ? pdu.sender() : null;
        return new Evaluated(m.roomId(), out, localSender, thread, m.eventNid());
    }

    /**
     * Stores the notifications of one event in the consumer's transaction (a redelivered event adds nothing) and
     * reports the new unread counts of each user who got one. A notification already covered by a receipt that
     * arrived first is stored read.
     */
    public void store(Connection tx, Evaluated e) throws SQLException {
        PendingReports reports = new PendingReports();
        store(tx, e, reports);
        report(tx, reports);
    }

    /**
     * As {@link #store(Connection, Evaluated)}, leaving the counts to report in {@code reports}: a batch of events
     * reports each user's counts in a room once, after the last of them ({@link #report(Connection, PendingReports)}).
     * why: counting a user's unread notifications after every single one made a consumer that fell behind slower
     * the further behind it was (the count reads every unread row).
     */
    public void store(Connection tx, Evaluated e, PendingReports reports) throws SQLException {
        for (NotificationsTable.Row n : e.notifications()) {
            boolean read = n.eventNid() <= NotificationsTable.readMark(tx, n.userId(), n.roomId(), n.threadId());
            NotificationsTable.Row row = new NotificationsTable.Row(0, n.userId(), n.roomId(), n.threadId(), n.eventId(),
                    n.eventNid(), n.ts(), n.highlight(), n.actionsJson(), read);
            if (NotificationsTable.insert(tx, row) && !read) reports.add(n.userId(), n.roomId(), Set.of());
        }
        // why: the spec counts sending an event as moving one's read receipt to it
        if (e.localSender() != null) read(tx, e.localSender(), e.roomId(), e.thread(), e.eventNid(), reports);
    }

    /**
     * Applies a read receipt in the consumer's transaction: notifications up to its event (in its thread, or in
     * every thread when unthreaded) become read, and changed counts are reported, threads that reached zero included.
     */
    public void receipt(Connection tx, OutputReceiptEvent r) throws SQLException {
        if (!r.userId().endsWith(localSuffix)) return;
        PendingReports reports = new PendingReports();
        read(tx, r.userId(), r.roomId(), r.threadId(), r.eventNid(), reports);
        report(tx, reports);
    }

    /** Marks read up to {@code eventNid} in {@code threadId} (null: every thread); the changed counts go to reports. */
    private void read(Connection tx, String userId, String roomId, String threadId, long eventNid, PendingReports reports)
            throws SQLException {
        NotificationsTable.raiseReadMark(tx, userId, roomId, threadId == null ? "" : threadId, eventNid);
        Set<String> before = new HashSet<>();
        for (NotificationsTable.Unread u : NotificationsTable.unread(tx, userId, roomId)) before.add(u.threadId());
        if (before.isEmpty()) return;
        if (NotificationsTable.markRead(tx, userId, roomId, threadId, eventNid) > 0) {
            reports.add(userId, roomId, before);
            // why: unread notifications are kept until read; read ones only as long as GET /notifications shows them
            NotificationsTable.deleteReadBefore(tx, userId, roomId, clock.millis() - READ_RETENTION.toMillis());
        }
    }

    /** Unread counts still to report: per user and room, the threads whose count may have dropped to zero. */
    public static final class PendingReports {
        private final Map<List<String>, Set<String>> pending = new LinkedHashMap<>();

        void add(String userId, String roomId, Set<String> maybeZeroed) {
            pending.computeIfAbsent(List.of(userId, roomId), k -> new HashSet<>()).addAll(maybeZeroed);
        }
    }

    /** Reports the current unread counts of every user and room in {@code reports} (in the same transaction). */
    public void report(Connection tx, PendingReports reports) throws SQLException {
        for (Map.Entry<List<String>, Set<String>> e : reports.pending.entrySet()) {
            report(tx, e.getKey().get(0), e.getKey().get(1), e.getValue());
        }
        reports.pending.clear();
    }

    /** A page of the user's notifications, newest first ({@code GET /notifications}). */
    public List<NotificationsTable.Row> page(String userId, long before, int limit, boolean onlyHighlights) {
        return db.read(c -> NotificationsTable.page(c, userId, before, limit, onlyHighlights));
    }

    private void report(Connection tx, String userId, String roomId, Set<String> zeroedThreads) throws SQLException {
        Map<String, UnreadCounts> threads = new HashMap<>();
        for (String t : zeroedThreads) threads.put(t, new UnreadCounts(0, 0));
        for (NotificationsTable.Unread u : NotificationsTable.unread(tx, userId, roomId)) {
            threads.put(u.threadId(), new UnreadCounts(u.notifications(), u.highlights()));
        }
        counts.append(tx, userId, new OutputNotificationData(userId, roomId, threads));
    }

    private PushRuleEvaluator compile(String userId) {
        String localpart = userId.substring(1, userId.length() - localSuffix.length());
        return PushRuleEvaluator.compile(users.pushRules(localpart));
    }

    /**
     * The thread an event belongs to: the root of its {@code m.thread} relation, found by following relations at
     * most 3 hops as the spec recommends (so a reaction to a threaded reply counts in the thread), else the main
     * timeline.
     */
    String threadOf(Pdu pdu) {
        JsonNode relation = pdu.content().get("m.relates_to");
        for (int hop = 0; hop < 3 && relation != null && relation.isObject(); hop++) {
            JsonNode target = relation.get("event_id");
            if (target == null || !target.isString()) break;
            if ("m.thread".equals(relation.path("rel_type").asString(null))) return target.asString();
            Optional<StoredEvent> parent = events.event(target.asString());
            if (parent.isEmpty()) break;
            relation = parent.get().pdu().content().get("m.relates_to");
        }
        return OutputNotificationData.MAIN_THREAD;
    }

    /** A room's joined members (user ID → display name or null) and power levels, as of the last event seen. */
    static final class RoomMembers {
        final Map<String, String> joined = new HashMap<>();
        private Pdu create;
        private Pdu powerLevelsEvent;
        private PowerLevels powerLevels;

        static RoomMembers of(List<StoredEvent> state) {
            RoomMembers room = new RoomMembers();
            for (StoredEvent e : state) room.apply(e.effectivePdu());
            return room;
        }

        PowerLevels powerLevels() {
            if (powerLevels == null) {
                Pdu any = powerLevelsEvent != null ? powerLevelsEvent : create;
                powerLevels = any == null ? null : PowerLevels.of(any.roomVersion(), powerLevelsEvent, create);
            }
            return powerLevels;
        }

        /** Moves past {@code m}'s state delta; false when the room must be reloaded instead. */
        boolean advance(OutputRoomEvent m, EventStore events) {
            Set<String> added = new HashSet<>();
            for (String id : m.addsStateEventIds()) {
                Pdu pdu = events.event(id).orElseThrow(() -> new IllegalStateException("state event " + id + " not stored"))
                        .effectivePdu();
                added.add(pdu.type() + '\0' + pdu.stateKey());
                apply(pdu);
            }
            for (String id : m.removesStateEventIds()) {
                Pdu pdu = events.event(id).orElseThrow(() -> new IllegalStateException("state event " + id + " not stored"))
                        .effectivePdu();
                // why: state that leaves without a replacement (a state reset) is rare; forget the room, reload later
                if (!added.contains(pdu.type() + '\0' + pdu.stateKey())) return false;
            }
            return true;
        }

        private void apply(Pdu pdu) {
            switch (pdu.type()) {
                case Pdu.MEMBER -> {
                    if ("join".equals(pdu.content().path("membership").asString(null))) {
                        JsonNode name = pdu.content().get("displayname");
                        joined.put(pdu.stateKey(), name != null && name.isString() ? name.asString() : null);
                    } else {
                        joined.remove(pdu.stateKey());
                    }
                }
                case Pdu.POWER_LEVELS -> {
                    if ("".equals(pdu.stateKey())) {
                        powerLevelsEvent = pdu;
                        powerLevels = null;
                    }
                }
                case Pdu.CREATE -> {
                    if ("".equals(pdu.stateKey())) {
                        create = pdu;
                        powerLevels = null;
                    }
                }
                default -> { }
            }
        }
    }
}
