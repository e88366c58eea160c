package dev.myelin.syncapi.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.syncapi.api.SyncExtension;
import dev.myelin.syncapi.api.SyncExtensionRequest;
import dev.myelin.syncapi.api.SyncMemberships;
import dev.myelin.syncapi.storage.CountersTable;
import dev.myelin.syncapi.storage.ReceiptsTable;
import dev.myelin.syncapi.storage.RoomEventsTable;
import dev.myelin.syncapi.storage.StateTables;
import dev.myelin.userapi.api.AccountDataChange;
import dev.myelin.userapi.api.UserApi;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds {@code /sync} responses (https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3sync) from
 * sync's indexes in two phases: first, in one read transaction, which events go where (positions and NIDs
 * only); then the event JSON is read from the event store, outside any transaction. An incremental sync with
 * nothing new parks on the {@link Notifier} until woken or timed out.
 */
public final class SyncEngine implements AutoCloseable {
    /** The timeline limit when the filter sets none (Synapse's default too). */
    public static final int DEFAULT_TIMELINE_LIMIT = 10;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Set<String> STRIPPED_STATE_TYPES = Set.of("m.room.create", "m.room.join_rules",
            "m.room.name", "m.room.avatar", "m.room.canonical_alias", "m.room.encryption", "m.room.topic");

    private final Database db;
    private final EventRenderer renderer;
    private final RoomEventSource events;
    private final Notifier notifier;
    private final LongPolls polls;
    private final List<SyncExtension> extensions;
    private final SyncMemberships memberships;

    /** The keys of sync's own streams in since tokens (besides {@link SyncToken#ROOMS}). */
    static final String TYPING = "t";
    static final String RECEIPTS = "c";
    static final String ACCOUNT_DATA = "a";
    static final String PRESENCE = "p";
    static final String NOTIFICATIONS = "n";

    private final UserApi users;
    private final Typing typing;
    private final Presence presence;
    private final LazyMembersSent lazySent = new LazyMembersSent();

    public SyncEngine(Database db, RoomEventSource events, Notifier notifier, List<SyncExtension> extensions,
                      SyncMemberships memberships, Clock clock, UserApi users, Typing typing, Presence presence) {
        this.users = users;
        this.typing = typing;
        this.presence = presence;
        this.db = db;
        this.renderer = new EventRenderer(events, clock);
        this.events = events;
        this.notifier = notifier;
        this.polls = new LongPolls(notifier);
        this.extensions = List.copyOf(extensions);
        this.memberships = memberships;
    }

    /** One {@code /sync} request, parsed. */
    public record Request(String userId, String deviceId, Optional<SyncToken> since, boolean fullState,
                          SyncFilter filter, long timeoutMs) {}

    /**
     * Answers a sync request; an incremental sync with nothing new completes later, when something arrives or its
     * timeout passes, without holding a thread meanwhile.
     */
    public CompletableFuture<ObjectNode> sync(Request r) {
        boolean mayWait = r.since().isPresent() && !r.fullState() && r.timeoutMs() > 0;
        if (!mayWait) return CompletableFuture.completedFuture(build(r).json);
        // why: everything a read's answer depends on besides the data; the same since token may be held by several
        // devices (to-device messages differ) and read through several filters
        PollKey key = new PollKey(r.deviceId(), r.since().get(), r.filter());
        return polls.poll(r.userId(), key, r.timeoutMs(), () -> {
            Built built = build(r);
            return new LongPolls.Attempt(built.json, built.hasData);
        });
    }

    /** What makes two long polls of one user get the same answer from the same data. */
    private record PollKey(String deviceId, SyncToken since, SyncFilter filter) {}

    /** Stops the long polls' timers. */
    @Override
    public void close() {
        polls.close();
    }

    private record Built(ObjectNode json, boolean hasData) {}

    /** Where a room goes in the response. */
    private enum Section { JOIN, INVITE, KNOCK, LEAVE }

    /** The index-level answer for one room: positions and NIDs, no JSON yet. */
    private record RoomPlan(String roomId, Section section, List<RoomEventsTable.Row> timeline, boolean limited,
                            long prevBatch, List<StateTables.Entry> state, ObjectNode summary,
                            List<StateTables.Entry> stripped) {}

    private record Plan(long upTo, List<RoomPlan> rooms, Set<String> joined, Set<String> newlyJoined,
                        Set<String> newlyLeft, long receiptsUpTo, long presenceUpTo, Map<String, ArrayNode> ephemeral,
                        Map<String, ArrayNode> roomAccountData, ArrayNode accountData, ArrayNode presence,
                        Map<String, Relations.Aggregation> aggregations, UnreadNotifications.Snapshot unread) {}

    /** What the plan needs from outside sync's database, read before its transaction. */
    private record Outside(long typingUpTo, long accountDataUpTo, List<AccountDataChange> accountData,
                           Set<String> ignored) {}

    private Built build(Request r) {
        boolean initial = r.since().isEmpty();
        // why: extension heads first, so that the room snapshot read after them is never older than they are
        Map<String, Long> extensionHeads = new LinkedHashMap<>();
        for (SyncExtension e : extensions) extensionHeads.put(e.tokenKey(), e.currentPosition());
        SyncToken since = r.since().orElse(new SyncToken(Map.of()));
        String localpart = IgnoredUsers.localpart(r.userId());
        long typingUpTo = typing.position();
        long accountDataUpTo = users.accountDataPosition();
        List<AccountDataChange> accountData = new ArrayList<>();
        if (initial) {
            users.allAccountData(localpart).forEach((room, types) -> types.forEach((type, content) ->
                    accountData.add(new AccountDataChange(room, type, content, 0))));
        } else {
            accountData.addAll(users.accountDataChanges(localpart, Math.min(since.get(ACCOUNT_DATA), accountDataUpTo),
                    accountDataUpTo));
        }
        Set<String> ignored = IgnoredUsers.of(users, r.userId());
        Outside outside = new Outside(typingUpTo, accountDataUpTo, accountData, ignored);

        if (initial && r.deviceId() != null) lazySent.reset(r.userId(), r.deviceId());
        Plan plan = db.read(c -> plan(c, r, initial, since, outside));
        dropForgottenRooms(r.userId(), plan.rooms);
        if (r.filter().room().state().lazyLoadMembers() && r.deviceId() != null) {
            List<String> members = new ArrayList<>();
            for (RoomPlan p : plan.rooms) {
                for (StateTables.Entry e : p.state) if (e.type().equals("m.room.member")) members.add(e.eventId());
                for (RoomEventsTable.Row row : p.timeline) if ("m.room.member".equals(row.type())) members.add(row.eventId());
            }
            lazySent.sent(r.userId(), r.deviceId(), members);
        }

        ObjectNode response = JSON.objectNode();
        Map<String, Long> next = new HashMap<>();
        next.put(SyncToken.ROOMS, plan.upTo);
        next.put(TYPING, typingUpTo);
        next.put(RECEIPTS, plan.receiptsUpTo);
        next.put(ACCOUNT_DATA, accountDataUpTo);
        if (presence.enabled()) next.put(PRESENCE, plan.presenceUpTo);
        next.put(NOTIFICATIONS, plan.unread.upTo());
        boolean hasData = render(r, plan, response);
        if (!plan.accountData.isEmpty() || initial) {
            response.putObject("account_data").set("events", plan.accountData);
            hasData |= !plan.accountData.isEmpty();
        }
        if (presence.enabled()) {
            response.putObject("presence").set("events", plan.presence);
            hasData |= !plan.presence.isEmpty();
        }
        for (SyncExtension e : extensions) {
            long extSince = r.since().map(t -> t.get(e.tokenKey())).orElse(0L);
            long upTo = Math.max(extSince, extensionHeads.get(e.tokenKey()));
            next.put(e.tokenKey(), upTo);
            SyncExtensionRequest request = new SyncExtensionRequest(r.userId(), r.deviceId(), initial ? 0 : extSince,
                    upTo, initial || r.fullState(), plan.joined, plan.newlyJoined, plan.newlyLeft, memberships);
            hasData |= e.fill(request, response);
        }
        response.put("next_batch", new SyncToken(next).encode());
        return new Built(response, hasData);
    }

    /**
     * Rooms the user has forgotten never appear in {@code /sync}, not even with {@code include_leave} (spec: leaving
     * rooms). Asked only when the plan has left rooms, so most syncs pay nothing for it.
     */
    private void dropForgottenRooms(String userId, List<RoomPlan> rooms) {
        if (rooms.stream().noneMatch(p -> p.section() == Section.LEAVE)) return;
        Set<String> forgotten = events.forgottenRooms(userId);
        if (!forgotten.isEmpty()) rooms.removeIf(p -> p.section() == Section.LEAVE && forgotten.contains(p.roomId()));
    }

    // ---- phase 1: the plan, from the indexes, in one read transaction

    private Plan plan(Connection c, Request r, boolean initial, SyncToken sinceToken, Outside outside)
            throws SQLException {
        long upTo = RoomEventsTable.head(c);
        long since = Math.min(sinceToken.get(SyncToken.ROOMS), upTo);
        String user = r.userId();
        SyncFilter.RoomFilter roomFilter = r.filter().room();

        Map<String, StateTables.Entry> current = new LinkedHashMap<>();
        for (StateTables.Entry e : StateTables.membershipsOf(c, user)) current.put(e.roomId(), e);
        Set<String> changed = new LinkedHashSet<>();
        if (!initial) {
            for (StateTables.Entry e : StateTables.membershipChanges(c, user, since, upTo)) changed.add(e.roomId());
        }
        Set<String> rooms = new LinkedHashSet<>(current.keySet());
        rooms.addAll(changed);
        RoomReads reads = RoomReads.of(c, user, rooms, initial || r.fullState());

        // why: an incremental sync of a user in many rooms must not query each quiet room; state changes only come
        // with events, so a room without events in the window has no timeline or state to send
        Set<String> active = initial ? null : RoomEventsTable.roomsWithEvents(c, since, upTo);
        List<RoomPlan> plans = new ArrayList<>();
        Set<String> joined = new HashSet<>();
        Set<String> newlyJoined = new HashSet<>();
        Set<String> newlyLeft = new HashSet<>();
        for (String roomId : rooms) {
            StateTables.Entry now = current.get(roomId);
            String membership = now == null ? null : now.membership();
            if ("join".equals(membership)) joined.add(roomId);
            if (!roomFilter.roomAllowed(roomId)) continue;
            String atSince = null;
            if (!initial) {
                atSince = changed.contains(roomId)
                        ? StateTables.at(c, roomId, "m.room.member", user, since).map(StateTables.Entry::membership).orElse(null)
                        : membership;
            }
            boolean wasJoined = "join".equals(atSince);
            if ("join".equals(membership)) {
                boolean newly = initial || !wasJoined;
                if (newly) newlyJoined.add(roomId);
                if (!newly && !r.fullState() && !active.contains(roomId)) continue;
                RoomPlan p = joinedRoom(c, reads, r, roomId, Section.JOIN, newly ? 0 : since, upTo, newly || r.fullState(),
                        initial || newly || r.fullState(), outside.ignored);
                if (p != null) plans.add(p);
            } else if ("invite".equals(membership) || "knock".equals(membership)) {
                if ((initial || changed.contains(roomId)) && !outside.ignored.contains(now.sender())) {
                    plans.add(strippedRoom(c, roomId, membership.equals("invite") ? Section.INVITE : Section.KNOCK, now));
                }
                if (wasJoined) newlyLeft.add(roomId);
            } else if (now != null) { // leave or ban
                if (initial) {
                    if (roomFilter.includeLeave()) {
                        RoomPlan p = joinedRoom(c, reads, r, roomId, Section.LEAVE, 0, now.pos(), true, true, outside.ignored);
                        if (p != null) plans.add(p);
                    }
                } else if (changed.contains(roomId)) {
                    if (wasJoined) {
                        newlyLeft.add(roomId);
                        RoomPlan p = joinedRoom(c, reads, r, roomId, Section.LEAVE, since, now.pos(), r.fullState(), true, outside.ignored);
                        if (p != null) plans.add(p);
                    } else if (atSince != null || roomFilter.includeLeave()) {
                        // why: a rejected invite or withdrawn knock: the client needs the leave, not the room's history
                        RoomPlan p = joinedRoom(c, reads, r, roomId, Section.LEAVE, now.pos() - 1, now.pos(), false, true, outside.ignored);
                        if (p != null) plans.add(p);
                    }
                }
            }
        }
        // ephemeral events and room account data of joined rooms; a room with only those still appears
        long receiptsUpTo = CountersTable.current(c, Receipts.COUNTER);
        long receiptsSince = Math.min(sinceToken.get(RECEIPTS), receiptsUpTo);
        SyncFilter.EventFilter ephemeralFilter = roomFilter.ephemeral();
        Map<String, ArrayNode> ephemeral = new HashMap<>();
        Set<String> receiptRooms = initial ? null : new HashSet<>(ReceiptsTable.roomsChanged(c, receiptsSince, receiptsUpTo));
        // why: one query for all rooms of an initial sync, not one per room
        Map<String, List<ReceiptsTable.Row>> initialReceipts = initial && joined.size() >= RoomReads.BATCH_FROM
                ? ReceiptsTable.inRooms(c, joined, 0, receiptsUpTo) : null;
        for (String roomId : joined) {
            if (!roomFilter.roomAllowed(roomId) || !ephemeralFilter.roomAllowed(roomId)) continue;
            ArrayNode events = JSON.arrayNode();
            if (ephemeralFilter.matches(roomId, "m.typing", null, false)) {
                List<String> typingUsers = typing.typingIfChanged(roomId, sinceToken.get(TYPING), outside.typingUpTo, initial);
                if (typingUsers != null) {
                    ObjectNode t = events.addObject();
                    t.put("type", "m.typing");
                    ArrayNode ids = t.putObject("content").putArray("user_ids");
                    typingUsers.forEach(ids::add);
                }
            }
            if (ephemeralFilter.matches(roomId, "m.receipt", null, false)
                    && (receiptRooms == null || receiptRooms.contains(roomId))) {
                ObjectNode receipt = initialReceipts != null
                        ? Receipts.event(initialReceipts.getOrDefault(roomId, List.of()), user)
                        : Receipts.event(c, roomId, user, initial ? 0 : receiptsSince, receiptsUpTo);
                if (receipt != null) events.add(receipt);
            }
            trim(events, ephemeralFilter); // why: the filter's limit applies to each room's ephemeral events
            if (!events.isEmpty()) ephemeral.put(roomId, events);
        }
        Map<String, ArrayNode> roomAccountData = new HashMap<>();
        ArrayNode accountData = JSON.arrayNode();
        for (AccountDataChange change : outside.accountData) {
            ObjectNode event = JSON.objectNode();
            event.put("type", change.type());
            event.set("content", change.content());
            if (change.roomId().isEmpty()) {
                if (r.filter().accountData().matches(null, change.type(), null, false)) accountData.add(event);
            } else if (joined.contains(change.roomId()) && roomFilter.roomAllowed(change.roomId())
                    && roomFilter.accountData().matches(change.roomId(), change.type(), null, false)) {
                roomAccountData.computeIfAbsent(change.roomId(), k -> JSON.arrayNode()).add(event);
            }
        }
        trim(accountData, r.filter().accountData());
        roomAccountData.values().forEach(events -> trim(events, roomFilter.accountData()));
        Set<String> planned = new HashSet<>();
        for (RoomPlan p : plans) planned.add(p.roomId);
        Set<String> extra = new LinkedHashSet<>(ephemeral.keySet());
        extra.addAll(roomAccountData.keySet());
        // why: a receipt elsewhere (another device) or a new notification changes only the counts of a room
        UnreadNotifications.Snapshot unread = UnreadNotifications.read(c, user);
        if (!initial) {
            for (String roomId : unread.changedRooms(Math.min(sinceToken.get(NOTIFICATIONS), unread.upTo()))) {
                if (joined.contains(roomId) && roomFilter.roomAllowed(roomId)) extra.add(roomId);
            }
        }
        for (String roomId : extra) {
            if (planned.add(roomId)) {
                plans.add(new RoomPlan(roomId, Section.JOIN, List.of(), false, upTo + 1, List.of(), null, List.of()));
            }
        }
        long presenceUpTo = presence.enabled() ? CountersTable.current(c, Presence.COUNTER) : 0;
        ArrayNode presenceEvents = presence.events(c, user, initial ? 0 : Math.min(sinceToken.get(PRESENCE), presenceUpTo),
                presenceUpTo);
        if (!initial) presence.addNewRoomMates(c, presenceEvents, newlyJoined, presenceUpTo);
        trim(presenceEvents, r.filter().presence());
        List<RoomEventsTable.Row> timelines = new ArrayList<>();
        for (RoomPlan p : plans) timelines.addAll(p.timeline);
        return new Plan(upTo, plans, joined, newlyJoined, newlyLeft, receiptsUpTo, presenceUpTo, ephemeral,
                roomAccountData, accountData, presenceEvents, Relations.aggregate(c, timelines, user), unread);
    }

    /** Applies an {@code EventFilter}'s types, senders and limit to events already built. */
    private static void trim(ArrayNode events, SyncFilter.EventFilter filter) {
        int limit = filter.limitOr(Integer.MAX_VALUE);
        for (int i = events.size() - 1; i >= 0; i--) {
            var e = events.get(i);
            String sender = e.has("sender") ? e.get("sender").asString() : null;
            if (!filter.matches(null, e.path("type").asString(), sender, false)) events.remove(i);
        }
        while (events.size() > limit) events.remove(events.size() - 1);
    }


    /**
     * A room the user is (or was, up to {@code upTo}) joined to: the timeline in {@code (since, upTo]}, the state
     * before it ({@code fullState}: all of it; else what changed since {@code since}), the summary. Null when
     * there is nothing to say and {@code always} is false.
     */
    private RoomPlan joinedRoom(Connection c, RoomReads reads, Request r, String roomId, Section section, long since, long upTo,
                                boolean fullState, boolean always, Set<String> ignored) throws SQLException {
        SyncFilter.EventFilter tl = r.filter().room().timeline();
        int limit = tl.limitOr(DEFAULT_TIMELINE_LIMIT);
        List<RoomEventsTable.Row> timeline = new ArrayList<>();
        boolean limited = false;
        if (tl.roomAllowed(roomId)) {
            limited = timeline(c, reads, roomId, r.userId(), since, upTo, tl, limit, ignored, timeline);
        }
        long stateAt = timeline.isEmpty() ? upTo : timeline.get(0).pos() - 1;
        List<StateTables.Entry> state = state(c, reads, r, roomId, fullState ? 0 : since, stateAt, timeline);
        if (!always && timeline.isEmpty() && state.isEmpty()) return null;
        long prevBatch = timeline.isEmpty() ? upTo + 1 : timeline.get(0).pos();
        ObjectNode summary = null;
        if (section == Section.JOIN && (fullState || touchesMembers(timeline) || touchesMembersInState(state))) {
            summary = summary(c, reads, roomId, r.userId());
        }
        return new RoomPlan(roomId, section, timeline, limited, prevBatch, state, summary, List.of());
    }

    /**
     * Fills {@code out} oldest-first with the last {@code limit} events of the window that match the filter and
     * that the user may see; true if limited (more such events precede them in the window).
     */
    private static boolean timeline(Connection c, RoomReads reads, String roomId, String userId, long since, long upTo,
                                    SyncFilter.EventFilter filter, int limit, Set<String> ignored,
                                    List<RoomEventsTable.Row> out)
            throws SQLException {
        HistoryVisibility visibility = reads.visibility(roomId);
        // why: the window ends at the newest event the user may not see: a hidden state event inside it would be in
        // neither the state (taken at the window's start) nor the timeline, and the client's state would be wrong
        RoomHistory.Window window = RoomHistory.newestUntil(c, roomId, since, upTo, limit + 1,
                row -> filter.matches(roomId, row.type(), row.sender(), row.containsUrl())
                        && !(row.stateKey() == null && ignored.contains(row.sender())),
                row -> !visibility.canSee(row));
        List<RoomEventsTable.Row> newest = window.rows();
        boolean limited = window.stopped();
        if (newest.size() > limit) {
            limited = true;
            newest = newest.subList(0, limit);
        }
        for (int i = newest.size() - 1; i >= 0; i--) out.add(newest.get(i));
        return limited;
    }

    /**
     * The state part of a room: with {@code since} 0, the whole state at position {@code at}; otherwise the keys
     * that changed in {@code (since, at]} with their value at {@code at}. The state filter applies; with
     * {@code lazy_load_members}, member events only for the timeline's senders (and their value at {@code at}
     * even when unchanged, since the client may never have seen them).
     */
    private List<StateTables.Entry> state(Connection c, RoomReads reads, Request r, String roomId, long since, long at,
                                          List<RoomEventsTable.Row> timeline) throws SQLException {
        SyncFilter.EventFilter filter = r.filter().room().state();
        boolean lazy = filter.lazyLoadMembers();
        Set<String> senders = new LinkedHashSet<>();
        if (lazy) for (RoomEventsTable.Row row : timeline) senders.add(row.sender());
        Map<String, StateTables.Entry> values;
        if (lazy && since == 0 && senders.size() <= 200 && at >= reads.lastChange(roomId)) {
            // why: an initial sync of a big room must not read every member only to drop them
            values = new LinkedHashMap<>();
            for (StateTables.Entry e : reads.currentWithMembers(roomId, senders)) values.put(RoomState.key(e), e);
        } else {
            values = RoomState.delta(c, roomId, since, at);
        }
        List<StateTables.Entry> out = new ArrayList<>();
        // why: without include_redundant_members, a member event this device already has is left out
        boolean skipSent = lazy && since > 0 && !filter.includeRedundantMembers() && r.deviceId() != null;
        for (StateTables.Entry e : values.values()) {
            if (e.eventNid() == null) continue;
            if (lazy && e.type().equals("m.room.member") && !senders.contains(e.stateKey())) continue;
            if (skipSent && e.type().equals("m.room.member") && lazySent.wasSent(r.userId(), r.deviceId(), e.eventId())) continue;
            if (!filter.matches(roomId, e.type(), e.sender(), false)) continue;
            out.add(e);
        }
        if (lazy && since > 0 && filter.matches(roomId, "m.room.member", null, false)) {
            for (String sender : senders) {
                if (values.containsKey(RoomState.key("m.room.member", sender))) continue;
                Optional<StateTables.Entry> e = StateTables.at(c, roomId, "m.room.member", sender, at);
                if (e.isPresent() && skipSent && lazySent.wasSent(r.userId(), r.deviceId(), e.get().eventId())) continue;
                if (e.isPresent() && e.get().eventNid() != null
                        && filter.matches(roomId, "m.room.member", e.get().sender(), false)) {
                    out.add(e.get());
                }
            }
        }
        return out;
    }

    private static boolean touchesMembers(List<RoomEventsTable.Row> timeline) {
        for (RoomEventsTable.Row row : timeline) if ("m.room.member".equals(row.type())) return true;
        return false;
    }

    private static boolean touchesMembersInState(List<StateTables.Entry> state) {
        for (StateTables.Entry e : state) if ("m.room.member".equals(e.type())) return true;
        return false;
    }

    /** {@code summary}: member counts and, for a room without a name or alias, up to five heroes. */
    private static ObjectNode summary(Connection c, RoomReads reads, String roomId, String userId) throws SQLException {
        Map<String, Integer> counts = reads.memberCounts(roomId);
        int joined = counts.getOrDefault("join", 0);
        int invited = counts.getOrDefault("invite", 0);
        ObjectNode summary = JSON.objectNode();
        summary.put("m.joined_member_count", joined);
        summary.put("m.invited_member_count", invited);
        boolean named = reads.named(roomId);
        if (!named) {
            List<String> heroes = new ArrayList<>(StateTables.someMembers(c, roomId, "join", userId, 5));
            if (heroes.size() < 5) heroes.addAll(StateTables.someMembers(c, roomId, "invite", userId, 5 - heroes.size()));
            if (joined + invited <= 1) {
                // why: a room everyone else left is named after those who were in it (the spec's fallback)
                for (String m : List.of("leave", "ban")) {
                    if (heroes.size() < 5) heroes.addAll(StateTables.someMembers(c, roomId, m, userId, 5 - heroes.size()));
                }
            }
            ArrayNode array = summary.putArray("m.heroes");
            heroes.forEach(array::add);
        }
        return summary;
    }

    /** An invited or knocking room: the stripped state the user may see before joining. */
    private static RoomPlan strippedRoom(Connection c, String roomId, Section section, StateTables.Entry member)
            throws SQLException {
        List<StateTables.Entry> stripped = new ArrayList<>();
        for (StateTables.Entry e : StateTables.current(c, roomId)) {
            if (STRIPPED_STATE_TYPES.contains(e.type()) && e.stateKey().isEmpty()) stripped.add(e);
        }
        stripped.add(member);
        return new RoomPlan(roomId, section, List.of(), false, 0, List.of(), null, stripped);
    }

    // ---- phase 2: the JSON, read from the event store outside any transaction

    private boolean render(Request r, Plan plan, ObjectNode response) {
        ObjectNode rooms = response.putObject("rooms");
        ObjectNode join = rooms.putObject("join");
        ObjectNode invite = rooms.putObject("invite");
        ObjectNode knock = rooms.putObject("knock");
        ObjectNode leave = rooms.putObject("leave");
        boolean any = false;
        EventRenderer.Viewer viewer = new EventRenderer.Viewer(r.userId(), r.deviceId(), r.filter().eventFields(),
                r.filter().eventFormat().equals("federation"));
        List<Long> nids = new ArrayList<>();
        for (RoomPlan p : plan.rooms) {
            for (StateTables.Entry e : p.state) if (e.eventNid() != null) nids.add(e.eventNid());
            for (StateTables.Entry e : p.stripped) if (e.eventNid() != null) nids.add(e.eventNid());
            for (RoomEventsTable.Row row : p.timeline) nids.add(row.eventNid());
        }
        renderer.preload(nids);
        for (RoomPlan p : plan.rooms) {
            any = true;
            switch (p.section) {
                case INVITE, KNOCK -> {
                    ArrayNode stateEvents = JSON.arrayNode();
                    for (StateTables.Entry e : p.stripped) renderer.stripped(e.eventNid()).ifPresent(stateEvents::add);
                    ObjectNode room = (p.section == Section.INVITE ? invite : knock).putObject(p.roomId);
                    room.putObject(p.section == Section.INVITE ? "invite_state" : "knock_state").set("events", stateEvents);
                }
                case JOIN, LEAVE -> {
                    ObjectNode room = (p.section == Section.JOIN ? join : leave).putObject(p.roomId);
                    ArrayNode stateEvents = room.putObject("state").putArray("events");
                    for (StateTables.Entry e : p.state) renderer.render(viewer, e.eventNid(), null).ifPresent(stateEvents::add);
                    ObjectNode timeline = room.putObject("timeline");
                    ArrayNode timelineEvents = timeline.putArray("events");
                    for (RoomEventsTable.Row row : p.timeline) renderer.render(viewer, row.eventNid(), row,
                            Relations.agg(renderer, viewer, plan.aggregations.get(row.eventId()))).ifPresent(timelineEvents::add);
                    timeline.put("limited", p.limited);
                    timeline.put("prev_batch", SyncToken.roomBoundary(p.prevBatch));
                    if (p.summary != null) room.set("summary", p.summary);
                    if (p.section == Section.JOIN) {
                        ArrayNode eph = plan.ephemeral.get(p.roomId);
                        if (eph != null) room.putObject("ephemeral").set("events", eph);
                        ArrayNode data = plan.roomAccountData.get(p.roomId);
                        if (data != null) room.putObject("account_data").set("events", data);
                        UnreadNotifications.render(room, plan.unread.rooms().get(p.roomId),
                                r.filter().room().timeline().unreadThreadNotifications(),
                                r.since().map(t -> t.get(NOTIFICATIONS)).orElse(Long.MAX_VALUE));
                    }
                }
            }
        }
        return any;
    }

}
