package dev.myelin.roomserver.internal;

import dev.myelin.platform.concurrent.Batches;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.stream.StreamProducer;
import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.auth.AuthEventSelection;
import dev.myelin.protocol.auth.AuthEvents;
import dev.myelin.protocol.auth.AuthResult;
import dev.myelin.protocol.auth.AuthRules;
import dev.myelin.protocol.auth.PowerLevels;
import dev.myelin.protocol.auth.StateKey;
import dev.myelin.protocol.event.EventHashes;
import dev.myelin.protocol.crypto.EventSigning;
import dev.myelin.protocol.crypto.SignedJson;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.event.EventIds;
import dev.myelin.protocol.event.EventLimits;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.roomserver.api.OutputRoomEvent;
import dev.myelin.roomserver.api.StoredEvent;
import dev.myelin.roomserver.storage.EventsTable;
import dev.myelin.roomserver.storage.MembershipTable;
import dev.myelin.roomserver.storage.MessageAppend;
import dev.myelin.roomserver.storage.RoomsTable;
import dev.myelin.roomserver.storage.StateTable;
import dev.myelin.roomserver.storage.TransactionsTable;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The input pipeline for events made on this server: in the room's lane, build each event on the room's forward
 * extremities (prev events, auth events chosen by the protocol's selection, depth, hashes, signature, event ID),
 * check it against the auth rules and the size limit, then store it in ONE write transaction together with the
 * state snapshot after it, the new forward extremities, memberships, the client's transaction ID and the
 * {@code OutputRoomEvent} stream message. A refused event changes nothing.
 */
final class RoomInput {
    /** A state snapshot keeps appending one-entry delta blocks until it has this many blocks, then gets a full one. */
    static final int MAX_BLOCKS = 32;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** A client's transaction ID and what it is scoped to. */
    record Txn(String userId, String deviceId, String key, String txnId) {}

    private final RoomGraph graph;
    private final RoomLanes lanes;
    private final StreamProducer<OutputRoomEvent> output;
    private final AuthRules rules;
    private final String serverName;
    private final SigningKey signingKey;
    private final Clock clock;
    // why: the last origin_server_ts given to a v12 create event (see build)
    private final java.util.concurrent.atomic.AtomicLong lastCreateTs = new java.util.concurrent.atomic.AtomicLong();
    private final SecureRandom random;
    private final RedactionRule redactionRule;
    /** At most this many concurrent sends to one room are stored in one transaction. */
    static final int MAX_SENDS_PER_BATCH = 64;
    private static final int SIGNING_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** Base64 of 64 zero bytes: as long as an Ed25519 signature. */
    private static final String SIGNATURE_STAND_IN = "A".repeat(86);
    private final java.util.concurrent.ConcurrentHashMap<String, Batches<Pending>> roomBatches =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final com.github.benmanes.caffeine.cache.Cache<Txn, String> recentTxns =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000).build();

    RoomInput(RoomGraph graph, RoomLanes lanes, StreamProducer<OutputRoomEvent> output, AuthRules rules,
              String serverName, SigningKey signingKey, Clock clock, SecureRandom random) {
        this.graph = graph;
        this.lanes = lanes;
        this.output = output;
        this.rules = rules;
        this.serverName = serverName;
        this.signingKey = signingKey;
        this.clock = clock;
        this.random = random;
        this.redactionRule = new RedactionRule(graph);
    }

    String serverName() {
        return serverName;
    }

    /** The lanes (tests hold one to make sends queue up). */
    RoomLanes lanes() {
        return lanes;
    }

    /** Sends waiting for their room's next batch (for tests). */
    int queuedSends(String roomId) {
        Batches<Pending> b = roomBatches.get(roomId);
        return b == null ? 0 : b.queued();
    }

    /** One event built and authorised, waiting to be signed and stored; {@code json} is set once it is signed. */
    private static final class Built {
        private final Pdu pdu;
        private String json;

        Built(Pdu pdu) {
            this.pdu = pdu;
        }

        Pdu pdu() {
            return pdu;
        }

        String json() {
            return json;
        }
    }

    /**
     * Sends {@code templates} into an existing room, in order, all or nothing. With {@code txn}, a repeat of the
     * same transaction returns the event IDs stored the first time. Concurrent sends to one room are built one after
     * another in the room's lane and stored together (see {@link #sendBatch}).
     */
    List<String> send(RoomInfo room, List<EventTemplate> templates, Optional<Txn> txn) {
        if (txn.isPresent()) {
            String earlier = recentTxns.getIfPresent(txn.get());
            if (earlier != null) return List.of(earlier);
        }
        Pending pending = new Pending(templates, txn);
        roomBatches.computeIfAbsent(room.roomId(), id -> new Batches<>(MAX_SENDS_PER_BATCH, batch -> sendBatch(room, batch)))
                .submit(pending);
        if (pending.failure != null) throw pending.failure;
        if (pending.eventIds == null) throw new IllegalStateException("send to " + room.roomId() + " left without an outcome");
        return pending.eventIds;
    }

    /** One caller's send waiting for its room's lane; the lane records the outcome. */
    private static final class Pending {
        final List<EventTemplate> templates;
        final Optional<Txn> txn;
        List<String> eventIds;
        RuntimeException failure;

        Pending(List<EventTemplate> templates, Optional<Txn> txn) {
            this.templates = templates;
            this.txn = txn;
        }

        void complete(java.util.function.Supplier<List<String>> send) {
            try {
                eventIds = send.get();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
    }

    /**
     * Stores the sends that queued up for one room while its previous batch was stored. Each send is built on the
     * one before it (its prev event is the previous send's event) and checked against the auth rules on its own: a
     * refused send gets its error and the next is built as if it had never been. The accepted ones are written in one
     * transaction. The rare cases a transaction cannot settle for one send alone (a repeated transaction ID found
     * only in the database, the head moved by another process) roll the whole batch back and its sends are then
     * stored one by one, so no send's outcome depends on another's.
     */
    private void sendBatch(RoomInfo room, List<Pending> batch) {
        try (RoomLanes.Held ignored = lanes.enter(room.roomId())) {
            if (batch.size() == 1) {
                Pending only = batch.getFirst();
                only.complete(() -> sendAlone(room, only.templates, only.txn));
                return;
            }
            List<Pending> later = new ArrayList<>();
            List<Pending> together = new ArrayList<>();
            java.util.Set<Txn> txns = new java.util.HashSet<>();
            for (Pending p : batch) {
                // why: a client retrying while its first attempt waits in the same batch is answered after the batch
                if (p.txn.isPresent() && (recentTxns.getIfPresent(p.txn.get()) != null || !txns.add(p.txn.get()))) later.add(p);
                else together.add(p);
            }
            try {
                storeTogether(room, together);
            } catch (RepeatedTxn | StaleHead e) {
                if (e instanceof StaleHead) graph.forgetHead(room.roomNid());
                for (Pending p : together) p.eventIds = null;
                later.addAll(0, together);
            } catch (RuntimeException e) {
                // why: the transaction failed as a whole (e.g. the database): every send in it gets that failure
                for (Pending p : together) if (p.failure == null) p.failure = e;
            }
            for (Pending p : later) {
                if (p.eventIds == null && p.failure == null) p.complete(() -> sendAlone(room, p.templates, p.txn));
            }
        }
    }

    /** Builds each pending send on the previous accepted one and stores the accepted ones in one transaction. */
    private void storeTogether(RoomInfo room, List<Pending> sends) {
        RoomHead head = graph.head(room);
        Snapshot current = graph.snapshot(head.stateSnapshotNid());
        Chain chain = new Chain(room, head, new Overlay(graph, current));
        List<Group> groups = new ArrayList<>();
        List<Pending> accepted = new ArrayList<>();
        for (Pending p : sends) {
            try {
                groups.add(new Group(chain.add(p.templates, null), p.txn));
                accepted.add(p);
            } catch (MatrixException e) {
                p.failure = e;
            }
        }
        if (groups.isEmpty()) return;
        List<List<String>> ids = store(room, head, current, groups);
        for (int i = 0; i < accepted.size(); i++) {
            Pending p = accepted.get(i);
            p.eventIds = ids.get(i);
            p.txn.ifPresent(t -> recentTxns.put(t, p.eventIds.getLast()));
        }
    }

    /** Sends one caller's events in their own transaction; the caller holds the room's lane. */
    private List<String> sendAlone(RoomInfo room, List<EventTemplate> templates, Optional<Txn> txn) {
        // why: recent transaction IDs are answered from memory; the rest is checked inside the write transaction
        // (a repeat then rolls back), which saves a read transaction on every send
        if (txn.isPresent()) {
            String earlier = recentTxns.getIfPresent(txn.get());
            if (earlier != null) return List.of(earlier);
        }
        for (int attempt = 1; ; attempt++) {
            RoomHead head = graph.head(room);
            try {
                List<String> ids = write(room, head, templates, txn, false);
                txn.ifPresent(t -> recentTxns.put(t, ids.getLast()));
                return ids;
            } catch (RepeatedTxn e) {
                recentTxns.put(txn.orElseThrow(), e.eventId);
                return List.of(e.eventId);
            } catch (StaleHead e) {
                // why: another process wrote to the room (several processes sharing one PostgreSQL); the
                // transaction rolled back, so reload the head and build on the new one
                graph.forgetHead(room.roomNid());
                if (attempt == 5) throw MatrixException.unknown("The room is busy; try again");
            }
        }
    }

    /** The client's transaction ID was used before: nothing was stored, the earlier event answers. */
    static final class RepeatedTxn extends RuntimeException {
        final String eventId;

        RepeatedTxn(String eventId) {
            super("repeated transaction", null, false, false);
            this.eventId = eventId;
        }
    }

    /** The room's head moved under this writer; nothing was stored. */
    static final class StaleHead extends RuntimeException {
        StaleHead() {
            super("room head moved", null, false, false);
        }
    }

    /**
     * Creates a room of {@code version} from {@code templates} (the create event first) in one transaction; returns
     * the room ID (derived from the create event from room version 12).
     */
    String create(RoomVersion version, List<EventTemplate> templates) {
        String roomId;
        if (version.roomIdFromCreateEvent()) {
            roomId = null;
        } else {
            roomId = "!" + randomString(18) + ":" + serverName;
        }
        // why: the room is new, so nobody else can be in its lane; the lane is still taken for the head's sake
        for (int attempt = 1; ; attempt++) {
            Built create = build(version, roomId, templates.getFirst(), List.of(), 1, new Overlay(null, Snapshot.EMPTY));
            String id = create.pdu().roomId();
            try (RoomLanes.Held ignored = lanes.enter(id)) {
                long roomNid = graph.db().write(tx -> RoomsTable.byId(tx, id).isPresent() ? -1L : RoomsTable.insert(tx, id, version.id()));
                if (roomNid < 0) {
                    // why: from v12 the room ID is the create event's hash; an identical create event (another
                    // process, same sender, content and millisecond) gives the same ID: build it again, later
                    if (version.roomIdFromCreateEvent() && attempt < 5) continue;
                    throw new MatrixException("M_ROOM_IN_USE", "Room ID clash", 400);
                }
                return insertCreated(version, templates, create, id, roomNid);
            }
        }
    }

    /** Stores the new room's first events after its rooms row; a room left without events is removed again. */
    private String insertCreated(RoomVersion version, List<EventTemplate> templates, Built create, String id, long roomNid) {
        RoomInfo room = new RoomInfo(roomNid, id, version);
        RoomHead head = new RoomHead(room, List.of(), List.of(), 0, 0);
        try {
            write(room, head, templates, Optional.empty(), true, create);
        } catch (RuntimeException e) {
            // why: the rooms row was committed first (events need its NID); a room without events is removed
            graph.db().write(tx -> {
                try (var ps = tx.prepareStatement("DELETE FROM roomserver_rooms WHERE room_nid = ?")) {
                    ps.setLong(1, roomNid);
                    ps.executeUpdate();
                }
                return null;
            });
            graph.forgetHead(roomNid);
            throw e;
        }
        graph.remember(room);
        return id;
    }

    private List<String> write(RoomInfo room, RoomHead head, List<EventTemplate> templates, Optional<Txn> txn,
                               boolean creating) {
        return write(room, head, templates, txn, creating, null);
    }

    /** Builds, authorises and stores the events; the caller holds the room's lane. */
    private List<String> write(RoomInfo room, RoomHead head, List<EventTemplate> templates, Optional<Txn> txn,
                               boolean creating, Built prebuiltCreate) {
        Snapshot current = graph.snapshot(head.stateSnapshotNid());
        Chain chain = new Chain(room, head, new Overlay(graph, current));
        List<Built> built = chain.add(templates, prebuiltCreate);
        return store(room, head, current, List.of(new Group(built, txn))).getFirst();
    }

    /** One send's events (all or nothing) and the client's transaction ID that names them. */
    private record Group(List<Built> events, Optional<Txn> txn) {}

    /**
     * Events built one after another on a room's head: each on the previous one, authorised against the state the
     * previous ones leave. A refused send leaves the chain as it was.
     */
    private final class Chain {
        private final RoomInfo room;
        private final Overlay state;
        private List<String> prev;
        private long depth;

        Chain(RoomInfo room, RoomHead head, Overlay state) {
            this.room = room;
            this.state = state;
            this.prev = head.latestEventIds();
            this.depth = head.maxDepth() + 1;
        }

        /** Builds and authorises {@code templates}, all or nothing. */
        List<Built> add(List<EventTemplate> templates, Built prebuiltCreate) {
            Overlay.Mark mark = state.mark();
            List<String> prevBefore = prev;
            long depthBefore = depth;
            try {
                List<Built> built = new ArrayList<>();
                for (int i = 0; i < templates.size(); i++) {
                    EventTemplate t = templates.get(i);
                    Built b = (i == 0 && prebuiltCreate != null) ? prebuiltCreate
                            : build(room.version(), room.roomId(), t, prev, depth, state);
                    authorise(b.pdu(), state);
                    if (b.pdu().isState()) state.put(new StateKey(b.pdu().type(), b.pdu().stateKey()), b.pdu());
                    built.add(b);
                    prev = List.of(b.pdu().eventId());
                    depth++;
                }
                return built;
            } catch (RuntimeException e) {
                state.reset(mark);
                prev = prevBefore;
                depth = depthBefore;
                throw e;
            }
        }
    }

    /**
     * Stores the groups' events in ONE write transaction (shared with other rooms' input by group commit): with the
     * state snapshot after each state event, memberships, redactions, each group's transaction ID, the room's new
     * head and the {@code OutputRoomEvent} records. Returns each group's event IDs.
     */
    private List<List<String>> store(RoomInfo room, RoomHead head, Snapshot current, List<Group> groups) {
        Map<String, Long> newTypes = new HashMap<>();
        Map<String, Long> newKeys = new HashMap<>();
        List<StoredEvent> stored = new ArrayList<>();
        List<Snapshot> snapshots = new ArrayList<>();
        List<Long> redactedTargets = new ArrayList<>();
        List<Built> all = new ArrayList<>();
        for (Group g : groups) all.addAll(g.events());
        signAll(all);
        Built lastBuilt = groups.getLast().events().getLast();
        long finalDepth = lastBuilt.pdu().depth();
        boolean messagesOnly = all.size() <= MessageAppend.MAX_EVENTS
                && all.stream().allMatch(b -> !b.pdu().isState() && !Pdu.REDACTION.equals(b.pdu().type()) && b.pdu().redacts() == null);
        graph.inputCommits().write(room.roomId(), tx -> {
            // why: group commit may run this again after another room's part failed: start from scratch
            newTypes.clear();
            newKeys.clear();
            stored.clear();
            snapshots.clear();
            redactedTargets.clear();
            if (messagesOnly) return appendMessages(tx, room, head, current, groups, finalDepth, newTypes, stored);
            for (Group g : groups) {
                if (g.txn().isPresent()) {
                    // why: claimed first, one statement: a taken ID rolls the whole transaction back
                    Txn t = g.txn().get();
                    if (!TransactionsTable.claim(tx, t.userId(), t.deviceId(), t.key(), g.events().getLast().pdu().eventId())) {
                        throw new RepeatedTxn(TransactionsTable.find(tx, t.userId(), t.deviceId(), t.key()).orElseThrow(
                                () -> new SQLException("transaction ID taken but not found")));
                    }
                }
            }
            List<OutputRoomEvent> outputs = new ArrayList<>();
            Snapshot snap = current;
            for (Group g : groups) {
                List<Built> built = g.events();
                for (int i = 0; i < built.size(); i++) {
                    Pdu pdu = built.get(i).pdu();
                    long typeNid = graph.assignType(tx, pdu.type());
                    newTypes.put(pdu.type(), typeNid);
                    long keyNid = 0;
                    if (pdu.isState()) {
                        keyNid = graph.assignKey(tx, pdu.stateKey());
                        newKeys.put(pdu.stateKey(), keyNid);
                    }
                    long nid = EventsTable.insert(tx, room.roomNid(), pdu.eventId(), typeNid, keyNid, pdu.depth(),
                            pdu.originServerTs(), pdu.sender(), snap.nid(), pdu.redacts(), built.get(i).json());
                    String redactedBy = applyEarlierRedaction(tx, room, pdu, nid);
                    stored.add(new StoredEvent(nid, pdu, redactedBy));
                    List<String> adds = List.of();
                    List<String> removes = List.of();
                    if (pdu.isState()) {
                        StateKey key = new StateKey(pdu.type(), pdu.stateKey());
                        StateTable.Entry replaced = snap.state().get(key);
                        snap = withEntry(tx, room.roomNid(), snap, key, new StateTable.Entry(typeNid, keyNid, nid));
                        snapshots.add(snap);
                        adds = List.of(pdu.eventId());
                        if (replaced != null) removes = List.of(eventIdOf(tx, replaced.eventNid(), stored));
                        if (Pdu.MEMBER.equals(pdu.type())) {
                            MembershipTable.set(tx, room.roomNid(), pdu.stateKey(), pdu.content().path("membership").asString(""), nid);
                        }
                    }
                    if (Pdu.REDACTION.equals(pdu.type()) && pdu.redacts() != null) {
                        Long target = applyRedaction(tx, room, pdu, snap);
                        if (target != null) redactedTargets.add(target);
                    }
                    boolean last = i == built.size() - 1;
                    String txnId = null;
                    String deviceId = null;
                    if (last && g.txn().isPresent()) {
                        Txn t = g.txn().get();
                        txnId = t.txnId();
                        deviceId = t.deviceId();
                    }
                    outputs.add(new OutputRoomEvent(room.roomId(), pdu.eventId(), nid, room.version().id(),
                            adds, removes, deviceId, txnId));
                }
            }
            StoredEvent lastEvent = stored.getLast();
            if (!RoomsTable.updateHead(tx, room.roomNid(), head.latestEventNids(), List.of(lastEvent.eventNid()), snap.nid(),
                    finalDepth)) {
                throw new StaleHead();
            }
            // why: last in the transaction: appending takes the stream's head row lock until the commit, and every
            // room's input appends to the same stream
            for (OutputRoomEvent o : outputs) output.append(tx, room.roomId(), o);
            return snap;
        }, after -> {
            graph.rememberNames(newTypes, newKeys);
            snapshots.forEach(graph::remember);
            stored.forEach(graph::remember);
            redactedTargets.forEach(graph::forgetEvent);
            StoredEvent last = stored.getLast();
            graph.setHead(new RoomHead(room, List.of(last.eventNid()), List.of(last.eventId()), after.nid(), finalDepth));
        });
        List<List<String>> ids = new ArrayList<>();
        int next = 0;
        for (Group g : groups) {
            ids.add(stored.subList(next, next + g.events().size()).stream().map(StoredEvent::eventId).toList());
            next += g.events().size();
        }
        return ids;
    }

    /**
     * The part of {@link #store} for batches of message events only (no state, no redaction): everything but the
     * stream append in one {@link MessageAppend}, then the stream append. Returns the room's (unchanged) state.
     */
    private Snapshot appendMessages(Connection tx, RoomInfo room, RoomHead head, Snapshot current, List<Group> groups,
                                    long finalDepth, Map<String, Long> newTypes, List<StoredEvent> stored)
            throws SQLException {
        List<MessageAppend.Event> rows = new ArrayList<>();
        List<MessageAppend.TxnId> txnIds = new ArrayList<>();
        for (Group g : groups) {
            for (Built b : g.events()) {
                Pdu pdu = b.pdu();
                long typeNid = graph.assignType(tx, pdu.type());
                newTypes.put(pdu.type(), typeNid);
                rows.add(new MessageAppend.Event(pdu.eventId(), typeNid, pdu.depth(), pdu.originServerTs(), pdu.sender(), b.json()));
            }
            g.txn().ifPresent(t -> txnIds.add(new MessageAppend.TxnId(t.userId(), t.deviceId(), t.key(),
                    g.events().getLast().pdu().eventId())));
        }
        MessageAppend.Result result = MessageAppend.append(tx, graph.db().dialect(), room.roomNid(), current.nid(), rows,
                txnIds, head.latestEventNids(), finalDepth);
        if (!result.taken().isEmpty()) {
            MessageAppend.TxnId t = result.taken().getFirst();
            throw new RepeatedTxn(TransactionsTable.find(tx, t.userId(), t.deviceId(), t.txnKey()).orElseThrow(
                    () -> new SQLException("transaction ID taken but not found")));
        }
        if (result.headMoved()) throw new StaleHead();
        List<OutputRoomEvent> outputs = new ArrayList<>();
        for (Group g : groups) {
            for (Built b : g.events()) {
                Pdu pdu = b.pdu();
                long nid = result.eventNids().get(pdu.eventId());
                String redactedBy = applyEarlierRedaction(tx, room, pdu, nid,
                        result.earlierRedactions().getOrDefault(pdu.eventId(), List.of()));
                stored.add(new StoredEvent(nid, pdu, redactedBy));
                boolean last = b == g.events().getLast();
                Txn t = last ? g.txn().orElse(null) : null;
                outputs.add(new OutputRoomEvent(room.roomId(), pdu.eventId(), nid, room.version().id(), List.of(), List.of(),
                        t == null ? null : t.deviceId(), t == null ? null : t.txnId()));
            }
        }
        for (OutputRoomEvent o : outputs) output.append(tx, room.roomId(), o);
        return current;
    }

    private String eventIdOf(Connection tx, long nid, List<StoredEvent> justStored) throws SQLException {
        for (StoredEvent e : justStored) if (e.eventNid() == nid) return e.eventId();
        return graph.event(tx, nid).eventId();
    }

    /** The snapshot after adding one state entry: a one-entry delta block, or a full block once there are many. */
    private Snapshot withEntry(Connection tx, long roomNid, Snapshot before, StateKey key, StateTable.Entry entry)
            throws SQLException {
        Map<StateKey, StateTable.Entry> state = new HashMap<>(before.state());
        state.put(key, entry);
        List<Long> blocks = new ArrayList<>(before.blocks());
        if (blocks.size() + 1 > MAX_BLOCKS) {
            List<StateTable.Entry> all = new ArrayList<>(state.values());
            all.sort(Comparator.comparingLong(StateTable.Entry::typeNid).thenComparingLong(StateTable.Entry::stateKeyNid));
            blocks = List.of(StateTable.block(tx, graph.db().dialect(), all));
        } else {
            blocks.add(StateTable.block(tx, graph.db().dialect(), List.of(entry)));
        }
        long nid = StateTable.snapshot(tx, graph.db().dialect(), roomNid, blocks);
        return new Snapshot(nid, List.copyOf(blocks), Map.copyOf(state));
    }

    /** Marks the target of a redaction as redacted when it is in the room and the redaction may apply to it. */
    private Long applyRedaction(Connection tx, RoomInfo room, Pdu redaction, Snapshot before) throws SQLException {
        Optional<EventsTable.EventRow> target = EventsTable.byId(tx, redaction.redacts());
        if (target.isEmpty() || target.get().roomNid() != room.roomNid() || target.get().redactedBy() != null) return null;
        if (!redactionRule.applies(tx, room, redaction, graph.event(tx, target.get().eventNid()).pdu(), before)) {
            return null;
        }
        EventsTable.setRedactedBy(tx, target.get().eventNid(), redaction.eventId());
        return target.get().eventNid();
    }

    /**
     * A redaction stored before its target applies once the target arrives (the first one that may: see
     * {@link RedactionRule}); returns its event ID, or null.
     */
    private String applyEarlierRedaction(Connection tx, RoomInfo room, Pdu pdu, long nid) throws SQLException {
        return applyEarlierRedaction(tx, room, pdu, nid, EventsTable.redactionsOf(tx, room.roomNid(), pdu.eventId()));
    }

    /** As above, with the room's redactions that name the event ({@code redactionIds}, oldest first) already found. */
    private String applyEarlierRedaction(Connection tx, RoomInfo room, Pdu pdu, long nid, List<String> redactionIds)
            throws SQLException {
        for (String by : redactionIds) {
            EventsTable.EventRow redaction = EventsTable.byId(tx, by).orElseThrow();
            if (redactionRule.applies(tx, room, graph.event(tx, redaction.eventNid()).pdu(), pdu,
                    graph.snapshot(tx, redaction.stateSnapshotNid()))) {
                EventsTable.setRedactedBy(tx, nid, by);
                return by;
            }
        }
        return null;
    }

    private void authorise(Pdu pdu, Overlay state) {
        AuthResult result = rules.check(pdu, state);
        if (result instanceof AuthResult.Rejected r) {
            throw MatrixException.forbidden(r.reason());
        }
    }

    /** Builds the event in federation format: references, depth, timestamps, hashes, signature and ID. */
    private Built build(RoomVersion version, String roomId, EventTemplate t, List<String> prevIds, long depth, Overlay state) {
        ObjectNode e = JSON.objectNode();
        e.put("type", t.type());
        if (roomId != null) e.put("room_id", roomId);
        e.put("sender", t.sender());
        if (t.stateKey() != null) e.put("state_key", t.stateKey());
        ObjectNode content = t.content().deepCopy();
        if (t.redacts() != null) {
            if (version.redactsInContent()) content.put("redacts", t.redacts());
            else e.put("redacts", t.redacts());
        }
        e.set("content", content);
        // why: identical v12 create events would hash to the same room ID; each one this process builds gets its own
        // millisecond, so concurrent identical createRoom requests never collide here
        boolean hashedCreate = version.roomIdFromCreateEvent() && "m.room.create".equals(t.type());
        e.put("origin_server_ts", hashedCreate ? lastCreateTs.updateAndGet(prev -> Math.max(prev + 1, clock.millis())) : clock.millis());
        e.put("depth", Math.min(depth, dev.myelin.protocol.json.ProtocolJson.MAX_SAFE_INTEGER));
        if (!version.redactsInContent()) e.put("origin", serverName);
        List<String> authIds = new ArrayList<>();
        for (StateKey k : AuthEventSelection.keys(version, t.type(), t.stateKey(), t.sender(), content)) {
            Pdu a = state.get(k.type(), k.stateKey());
            if (a != null) authIds.add(a.eventId());
        }
        e.set("prev_events", references(version, prevIds, state));
        e.set("auth_events", references(version, authIds, state));
        if (version.eventFormat() == RoomVersion.EventFormat.V1) {
            e.put("event_id", "$" + randomString(18) + ":" + serverName);
        }
        String eventId;
        Pdu pdu;
        try {
            EventHashes.addContentHash(e);
            // why: the signature is made later (see signAll); neither the event ID nor the signature covers the
            // signatures object, so a stand-in of the same length gives the event its final size now
            SignedJson.putSignature(e, serverName, signingKey.keyId(), SIGNATURE_STAND_IN);
            eventId = EventIds.eventId(version, e);
            pdu = Pdu.parse(version, eventId, e);
            EventLimits.checkFields(e);
        } catch (ProtocolException ex) {
            throw MatrixException.badJson(ex.getMessage());
        }
        if (CanonicalJson.encode(e).length > EventLimits.MAX_PDU_BYTES) {
            throw MatrixException.tooLarge("The event is larger than " + EventLimits.MAX_PDU_BYTES + " bytes");
        }
        return new Built(pdu);
    }

    /**
     * Signs built events (replacing the stand-in signature) and encodes them for storage. A batch is split over the
     * machine's cores: in a busy room the lane builds events one after another, and the signature is the
     * largest part of building one.
     */
    private void signAll(List<Built> events) {
        int parts = Math.min(events.size(), SIGNING_THREADS);
        if (parts <= 1) {
            events.forEach(this::sign);
            return;
        }
        List<Thread> helpers = new ArrayList<>();
        RuntimeException[] failure = new RuntimeException[1];
        for (int p = 1; p < parts; p++) {
            int first = p;
            helpers.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = first; i < events.size(); i += parts) sign(events.get(i));
                } catch (RuntimeException ex) {
                    synchronized (failure) { failure[0] = ex; }
                }
            }));
        }
        for (int i = 0; i < events.size(); i += parts) sign(events.get(i));
        for (Thread t : helpers) {
            boolean interrupted = false;
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException ex) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
        synchronized (failure) {
            if (failure[0] != null) throw failure[0];
        }
    }

    private void sign(Built b) {
        if (b.json != null) return;
        EventSigning.addSignature(b.pdu().roomVersion(), b.pdu().json(), serverName, signingKey);
        b.json = new String(CanonicalJson.encode(b.pdu().json()), StandardCharsets.UTF_8);
    }

    private ArrayNode references(RoomVersion version, List<String> ids, Overlay state) {
        ArrayNode out = JSON.arrayNode();
        for (String id : ids) {
            if (version.eventFormat() == RoomVersion.EventFormat.V1) {
                ArrayNode pair = JSON.arrayNode();
                pair.add(id);
                Pdu referenced = state.byId(id);
                ObjectNode hashes = referenced != null && referenced.json().get("hashes") instanceof ObjectNode h
                        ? h.deepCopy() : JSON.objectNode();
                pair.add(hashes);
                out.add(pair);
            } else {
                out.add(id);
            }
        }
        return out;
    }

    private String randomString(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        return sb.toString();
    }

    /**
     * Accepts an event built and signed elsewhere: the seed of federation input, and how tests feed events in an
     * order a local client cannot make (a redaction before its target). The caller vouches for the event: its
     * signatures are not checked here. Reduced to what needs no state resolution: a message event (no state key)
     * whose prev events are stored in this room and whose state before is the room's current state; its prev
     * events leave the forward extremities and it joins them (a fork is merged by the next local event). Checked
     * against the auth rules and the size limit; stored, with an earlier redaction applied, in one transaction with
     * its {@code OutputRoomEvent}. Returns false when the event was stored already.
     */
    boolean receive(RoomInfo room, ObjectNode event) {
        RoomVersion version = room.version();
        Pdu pdu;
        byte[] canonical;
        try {
            pdu = Pdu.parse(version, EventIds.eventId(version, event), event);
            EventLimits.checkFields(event);
            canonical = CanonicalJson.encode(event);
        } catch (ProtocolException ex) {
            throw MatrixException.badJson(ex.getMessage());
        }
        if (canonical.length > EventLimits.MAX_PDU_BYTES) {
            throw MatrixException.tooLarge("The event is larger than " + EventLimits.MAX_PDU_BYTES + " bytes");
        }
        if (!pdu.roomId().equals(room.roomId())) throw MatrixException.invalidParam("The event belongs to " + pdu.roomId());
        if (pdu.isState()) {
            throw MatrixException.invalidParam("State events from elsewhere need state resolution, which is not built yet");
        }
        String json = new String(canonical, StandardCharsets.UTF_8);
        try (RoomLanes.Held ignored = lanes.enter(room.roomId())) {
            for (int attempt = 1; ; attempt++) {
                RoomHead head = graph.head(room);
                try {
                    return receive(room, head, pdu, json);
                } catch (StaleHead e) {
                    graph.forgetHead(room.roomNid());
                    if (attempt == 5) throw MatrixException.unknown("The room is busy; try again");
                }
            }
        }
    }

    private boolean receive(RoomInfo room, RoomHead head, Pdu pdu, String json) {
        if (graph.event(pdu.eventId()).isPresent()) return false;
        Snapshot current = graph.snapshot(head.stateSnapshotNid());
        Map<Long, String> prevNids = graph.db().read(c -> {
            Map<Long, String> out = new LinkedHashMap<>();
            for (String prevId : pdu.prevEventIds()) {
                StoredEvent prev = graph.event(c, prevId).filter(e -> e.roomId().equals(room.roomId()))
                        .orElseThrow(() -> MatrixException.invalidParam("Unknown prev event " + prevId));
                Map<StateKey, Long> after = new HashMap<>();
                graph.snapshot(c, graph.stateBefore(c, prevId)).state().forEach((k, v) -> after.put(k, v.eventNid()));
                if (prev.pdu().isState()) after.put(new StateKey(prev.pdu().type(), prev.pdu().stateKey()), prev.eventNid());
                Map<StateKey, Long> now = new HashMap<>();
                current.state().forEach((k, v) -> now.put(k, v.eventNid()));
                if (!after.equals(now)) {
                    throw MatrixException.invalidParam("The state after " + prevId + " is not the room's current state");
                }
                out.put(prev.eventNid(), prevId);
            }
            return out;
        });
        if (prevNids.isEmpty()) throw MatrixException.invalidParam("The event has no prev events");
        authorise(pdu, new Overlay(graph, current));
        List<Long> latestNids = new ArrayList<>();
        List<String> latestIds = new ArrayList<>();
        for (int i = 0; i < head.latestEventNids().size(); i++) {
            if (prevNids.containsKey(head.latestEventNids().get(i))) continue;
            latestNids.add(head.latestEventNids().get(i));
            latestIds.add(head.latestEventIds().get(i));
        }
        long depth = Math.max(head.maxDepth(), pdu.depth());
        Map<String, Long> newTypes = new HashMap<>();
        Long[] redactedTarget = {null};
        StoredEvent stored = graph.db().write(tx -> {
            long typeNid = graph.assignType(tx, pdu.type());
            newTypes.put(pdu.type(), typeNid);
            long nid = EventsTable.insert(tx, room.roomNid(), pdu.eventId(), typeNid, 0, pdu.depth(),
                    pdu.originServerTs(), pdu.sender(), current.nid(), pdu.redacts(), json);
            String redactedBy = applyEarlierRedaction(tx, room, pdu, nid);
            if (Pdu.REDACTION.equals(pdu.type()) && pdu.redacts() != null) redactedTarget[0] = applyRedaction(tx, room, pdu, current);
            List<Long> newLatest = new ArrayList<>(latestNids);
            newLatest.add(nid);
            if (!RoomsTable.updateHead(tx, room.roomNid(), head.latestEventNids(), newLatest, current.nid(), depth)) {
                throw new StaleHead();
            }
            output.append(tx, room.roomId(), new OutputRoomEvent(room.roomId(), pdu.eventId(), nid, room.version().id(),
                    List.of(), List.of(), null, null));
            return new StoredEvent(nid, pdu, redactedBy);
        });
        graph.rememberNames(newTypes, Map.of());
        graph.remember(stored);
        if (redactedTarget[0] != null) graph.forgetEvent(redactedTarget[0]);
        latestNids.add(stored.eventNid());
        latestIds.add(stored.eventId());
        graph.setHead(new RoomHead(room, List.copyOf(latestNids), List.copyOf(latestIds), current.nid(), depth));
        return true;
    }

    /** The power levels of a room's current state (for checks made before building, e.g. redactions). */
    static PowerLevels powerLevels(RoomVersion version, AuthEvents state) {
        return state.powerLevels(version);
    }

    /**
     * The state events are authorised against while a batch is built: the room's state before the batch, with the
     * batch's own state events laid over it. Also finds events by ID for v1 references.
     */
    static final class Overlay implements AuthEvents {
        private static final com.github.benmanes.caffeine.cache.Cache<String, PowerLevels> PARSED_POWER =
                com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000).build();
        private final RoomGraph graph;
        private final Snapshot base;
        private final Map<StateKey, Pdu> added = new LinkedHashMap<>();
        private final Map<String, Pdu> byId = new HashMap<>();

        Overlay(RoomGraph graph, Snapshot base) {
            this.graph = graph;
            this.base = base;
        }

        void put(StateKey key, Pdu pdu) {
            added.put(key, pdu);
            byId.put(pdu.eventId(), pdu);
        }

        /** What the overlay holds now, to go back to with {@link #reset}. */
        record Mark(Map<StateKey, Pdu> added, Map<String, Pdu> byId) {}

        Mark mark() {
            return new Mark(new LinkedHashMap<>(added), new HashMap<>(byId));
        }

        void reset(Mark mark) {
            added.clear();
            added.putAll(mark.added());
            byId.clear();
            byId.putAll(mark.byId());
        }

        @Override
        public Pdu get(String type, String stateKey) {
            StateKey key = new StateKey(type, stateKey);
            Pdu p = added.get(key);
            if (p != null) return p;
            Long nid = base.eventNid(key);
            if (nid == null || graph == null) return null;
            return graph.event(nid).orElseThrow().effectivePdu();
        }

        /** why: the auth rules ask for the power levels of every event; each power levels event is parsed once. */
        @Override
        public PowerLevels powerLevels(RoomVersion version) {
            Pdu create = get(Pdu.CREATE, "");
            StateKey key = new StateKey(Pdu.POWER_LEVELS, "");
            Pdu power = added.get(key);
            String cacheKey;
            if (power != null) {
                cacheKey = power.eventId();
            } else {
                Long nid = base.eventNid(key);
                StoredEvent stored = nid == null || graph == null ? null : graph.event(nid).orElseThrow();
                power = stored == null ? null : stored.effectivePdu();
                cacheKey = stored == null ? "-" : stored.eventId() + (stored.redactedBy() == null ? "" : "#redacted");
            }
            Pdu pl = power;
            cacheKey += "|" + (create == null ? "-" : create.eventId()) + "|" + version.id();
            return PARSED_POWER.get(cacheKey, k -> PowerLevels.of(version, pl, create));
        }

        Pdu byId(String eventId) {
            Pdu p = byId.get(eventId);
            if (p != null) return p;
            return graph == null ? null : graph.event(eventId).map(StoredEvent::pdu).orElse(null);
        }
    }
}
