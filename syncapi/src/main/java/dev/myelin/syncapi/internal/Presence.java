package dev.myelin.syncapi.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.platform.stream.EphemeralStreams;
import dev.myelin.platform.stream.InProcessEphemeralStreams;
import dev.myelin.platform.stream.StreamDefinition;
import dev.myelin.syncapi.api.OutputPresenceEvent;
import dev.myelin.syncapi.storage.CountersTable;
import dev.myelin.syncapi.storage.PresenceTable;
import dev.myelin.syncapi.storage.StateTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Presence (https://spec.matrix.org/v1.19/client-server-api/#presence): each local user's state, stored under the
 * presence position ({@code p} in sync tokens) and delivered to the users who share a room with them.
 *
 * <ul>
 *   <li>A {@code /sync} with {@code set_presence=online} (the default) brings an offline user online; with
 *       {@code unavailable} it sets unavailable; with {@code offline} it neither changes presence nor counts as
 *       syncing. {@code PUT /presence/{userId}/status} sets the state (and the status message, kept when the body has
 *       none; {@code ""} clears it).</li>
 *   <li>Pro-active events (setting {@code online}, a receipt or read marker, an event sent by a local client) bump
 *       the last active time and bring an {@code unavailable} user back online.</li>
 *   <li>Timeouts, as Synapse has them: a user neither syncing nor active for {@link Timeouts#offlineAfter} (30 s)
 *       goes {@code offline}; an {@code online} user not active for {@link Timeouts#idleAfter} (5 min) goes
 *       {@code unavailable}. The status message is kept.</li>
 *   <li>{@code currently_active} is true while a user is {@code online}; a change of the last active time alone is
 *       then not sent (no position), as the spec allows, and {@code last_active_ago} is computed when a response
 *       is rendered, so it is always current.</li>
 * </ul>
 *
 * <p>No thread per user: one sweeper per instance looks, every {@link Timeouts#sweepEvery}, at the users who are not
 * offline (an index holds only those). Syncs in flight are counted in memory per instance; each sweep writes a
 * coarse heartbeat ({@code last_sync_ts}) for them, so several instances over one database agree on who still
 * syncs. Every change is published on the ephemeral {@code OutputPresenceEvent} stream; each instance wakes the
 * long polls of the users who share a room with the changed user when it hears it (in the embedded shape the
 * stream is in process).
 *
 * <p>Can be disabled: then nothing is stored or sent, {@code GET} answers {@code offline} and {@code PUT} is
 * accepted and ignored, as Synapse does with {@code presence.enabled: false}.
 */
public final class Presence implements AutoCloseable {
    public static final Set<String> STATES = Set.of("online", "offline", "unavailable");
    static final String COUNTER = "presence";
    /** The ephemeral stream of presence changes. */
    public static final StreamDefinition<OutputPresenceEvent> STREAM =
            StreamDefinition.json(OutputPresenceEvent.STREAM, OutputPresenceEvent.class);
    private static final Logger LOG = LoggerFactory.getLogger(Presence.class);
    // why: activity while online is not sent to anyone (currently_active covers it); storing it more often than
    // this would cost a write per receipt for nothing a client can see except via GET /presence
    private static final long ACTIVE_WRITE_GRANULARITY_MS = 60_000;

    /**
     * When presence changes by itself.
     *
     * @param offlineAfter a user with no sync in flight and none ended, and no activity, for this long goes offline
     * @param idleAfter    an online user not active for this long goes unavailable
     * @param sweepEvery   how often an instance looks for users to time out
     */
    public record Timeouts(Duration offlineAfter, Duration idleAfter, Duration sweepEvery) {
        /** Synapse's: SYNC_ONLINE_TIMEOUT 30 s, IDLE_TIMER 5 min. */
        public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofSeconds(5));

        public Timeouts {
            if (offlineAfter.isNegative() || offlineAfter.isZero() || idleAfter.isNegative() || idleAfter.isZero()
                    || sweepEvery.isNegative() || sweepEvery.isZero()) {
                throw new IllegalArgumentException("presence timeouts must be positive");
            }
        }
    }

    /** A sync in flight, as presence counts it; closing it ends the sync. */
    @FunctionalInterface
    public interface Syncing extends AutoCloseable {
        @Override
        void close();
    }

    /** This instance's syncs of one user: how many are in flight, when one was last seen, what the database has. */
    private record Local(int inFlight, long lastSeen, long flushed) {}

    private final Database db;
    private final Clock clock;
    private final boolean enabled;
    private final Timeouts timeouts;
    private final EphemeralStreams ephemeral;
    private final boolean ownsEphemeral;
    private final Consumer<String> wakeSharers;
    private final ConcurrentHashMap<String, Local> syncing = new ConcurrentHashMap<>();
    // why: the state of users who are not offline, as this instance last wrote or heard it, so that a poll of an
    // online user costs no database read; offline users are not kept (the map stays as small as who is online)
    private final ConcurrentHashMap<String, String> known = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> activeWritten = new ConcurrentHashMap<>();
    private final EphemeralStreams.Registration listening;
    private final Thread sweeper;
    private volatile boolean closed;

    /**
     * @param ephemeral   where changes are published and heard; null: an in-process stream of this instance's own
     * @param wakeSharers wakes the polls of a user and of everyone sharing a room with them
     */
    public Presence(Database db, Clock clock, boolean enabled, Timeouts timeouts, EphemeralStreams ephemeral,
                    Consumer<String> wakeSharers) {
        this.db = db;
        this.clock = clock;
        this.enabled = enabled;
        this.timeouts = timeouts;
        this.ownsEphemeral = ephemeral == null;
        this.ephemeral = ephemeral == null ? new InProcessEphemeralStreams() : ephemeral;
        this.wakeSharers = wakeSharers;
        if (enabled) {
            this.listening = this.ephemeral.listen(STREAM, (key, change) -> heard(change));
            this.sweeper = Thread.ofVirtual().name("presence-sweeper").start(this::sweepLoop);
        } else {
            this.listening = null;
            this.sweeper = null;
        }
    }

    public boolean enabled() { return enabled; }

    // ---- what clients do

    /** {@code PUT /presence/{userId}/status}: sets the state; the status message is kept unless given. */
    public void set(String userId, String presence, Optional<String> statusMsg) {
        if (!STATES.contains(presence)) throw MatrixException.invalidParam("presence must be online, offline or unavailable");
        if (!enabled) return;
        long now = clock.millis();
        change(userId, now, row -> {
            String msg = statusMsg.isPresent() ? (statusMsg.get().isEmpty() ? null : statusMsg.get())
                    : row.map(PresenceTable.Row::statusMsg).orElse(null);
            long lastActive = presence.equals("online") || row.isEmpty() ? now : row.get().lastActiveTs();
            if (row.isPresent() && row.get().presence().equals(presence) && Objects.equals(row.get().statusMsg(), msg)) {
                return new Decision.Touch(lastActive); // the same state again: at most newer activity, nothing to send
            }
            return new Decision.Write(presence, msg, lastActive);
        });
    }

    /**
     * A {@code /sync} of {@code userId} starts with {@code set_presence}; close what this returns when it ends. Until
     * then, and for {@link Timeouts#offlineAfter} after, the user counts as syncing.
     */
    public Syncing syncing(String userId, String setPresence) {
        if (!STATES.contains(setPresence)) throw MatrixException.invalidParam("set_presence must be one of online, offline, unavailable");
        if (!enabled || setPresence.equals("offline")) return () -> {};
        long now = clock.millis();
        syncing.compute(userId, (u, l) -> new Local(l == null ? 1 : l.inFlight + 1, now, l == null ? 0 : l.flushed));
        String current = known.get(userId);
        boolean needsChange = setPresence.equals("online") ? current == null : !setPresence.equals(current);
        if (needsChange) {
            change(userId, now, row -> {
                if (setPresence.equals("online") && row.isPresent() && !row.get().presence().equals("offline")) {
                    return Decision.NOTHING; // why: a poll brings an offline user online; it does not undo unavailable
                }
                if (row.isPresent() && row.get().presence().equals(setPresence)) return Decision.NOTHING;
                long lastActive = setPresence.equals("online") || row.isEmpty() ? now : row.get().lastActiveTs();
                return new Decision.Write(setPresence, row.map(PresenceTable.Row::statusMsg).orElse(null), lastActive);
            });
        }
        return () -> syncing.computeIfPresent(userId, (u, l) -> new Local(l.inFlight - 1, clock.millis(), l.flushed));
    }

    /** A pro-active event of {@code userId} (a receipt, a read marker, a message sent): bumps the last active time. */
    public void active(String userId) {
        if (!enabled) return;
        long now = clock.millis();
        Long written = activeWritten.get(userId);
        if ("online".equals(known.get(userId)) && written != null && now - written < ACTIVE_WRITE_GRANULARITY_MS) return;
        change(userId, now, row -> row.isPresent() && row.get().presence().equals("online")
                ? new Decision.Touch(now)
                : new Decision.Write("online", row.map(PresenceTable.Row::statusMsg).orElse(null), now));
        activeWritten.put(userId, now);
    }

    // ---- what clients read

    /** {@code GET /presence/{userId}/status} as {@code requester} sees it. */
    public ObjectNode status(String requester, String userId) {
        if (!enabled) {
            ObjectNode off = JsonNodeFactory.instance.objectNode();
            off.put("presence", "offline");
            return off;
        }
        PresenceTable.Row row = db.read(c -> {
            if (!requester.equals(userId) && !StateTables.shareARoom(c, requester, userId)) {
                throw MatrixException.forbidden("You are not allowed to see the presence of " + userId);
            }
            return PresenceTable.get(c, userId);
        }).orElseThrow(() -> MatrixException.notFound("No presence for " + userId));
        ObjectNode out = content(row);
        out.remove("user_id");
        return out;
    }

    public long position() {
        return enabled ? db.read(c -> CountersTable.current(c, COUNTER)) : 0;
    }

    /**
     * The {@code presence.events} of a sync response for {@code userId} in {@code (since, upTo]}. From the start
     * ({@code since} 0, an initial sync) offline users are left out: offline is what a client assumes of anyone it
     * has no presence for, and a user in many large rooms would otherwise get every member's row.
     */
    ArrayNode events(Connection c, String userId, long since, long upTo) throws SQLException {
        ArrayNode events = JsonNodeFactory.instance.arrayNode();
        if (!enabled) return events;
        for (PresenceTable.Row row : PresenceTable.changedFor(c, userId, since, upTo, since > 0)) {
            ObjectNode e = events.addObject();
            e.put("type", "m.presence");
            e.put("sender", row.userId());
            e.set("content", content(row));
        }
        return events;
    }

    /**
     * Adds to {@code events} the presence of the members of rooms the user has just joined (an incremental sync
     * only carries changes, and the user has seen none of theirs), each user once; offline ones, as in an initial
     * sync, are left out.
     */
    void addNewRoomMates(Connection c, ArrayNode events, Set<String> newlyJoinedRooms, long upTo) throws SQLException {
        if (!enabled || newlyJoinedRooms.isEmpty()) return;
        Set<String> present = new java.util.HashSet<>();
        for (var e : events) present.add(e.path("sender").asString());
        for (String roomId : newlyJoinedRooms) {
            for (PresenceTable.Row row : PresenceTable.ofJoinedMembers(c, roomId, upTo)) {
                if (!present.add(row.userId())) continue;
                ObjectNode e = events.addObject();
                e.put("type", "m.presence");
                e.put("sender", row.userId());
                e.set("content", content(row));
            }
        }
    }

    private ObjectNode content(PresenceTable.Row row) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("presence", row.presence());
        out.put("user_id", row.userId());
        out.put("last_active_ago", Math.max(0, clock.millis() - row.lastActiveTs()));
        if (row.presence().equals("online")) out.put("currently_active", currentlyActive(row.presence(), row.lastActiveTs()));
        if (row.statusMsg() != null) out.put("status_msg", row.statusMsg());
        return out;
    }

    private boolean currentlyActive(String presence, long lastActiveTs) {
        // why: an online user not active for idleAfter becomes unavailable at the next sweep; until then, not active
        return presence.equals("online") && clock.millis() - lastActiveTs < timeouts.idleAfter().toMillis();
    }

    // ---- changes

    /** What to do with a user's row. */
    private sealed interface Decision {
        Decision NOTHING = new Touch(0);

        /** Record activity at {@code lastActiveTs} (if newer) without a new position. */
        record Touch(long lastActiveTs) implements Decision {}

        /** Store a new state at a new position. */
        record Write(String presence, String statusMsg, long lastActiveTs) implements Decision {}
    }

    private void change(String userId, long now, java.util.function.Function<Optional<PresenceTable.Row>, Decision> decide) {
        OutputPresenceEvent out = db.write(tx -> {
            Optional<PresenceTable.Row> row = PresenceTable.get(tx, userId);
            switch (decide.apply(row)) {
                case Decision.Touch t -> {
                    if (t.lastActiveTs() > 0) PresenceTable.touchActive(tx, userId, t.lastActiveTs());
                    row.ifPresent(r -> remember(userId, r.presence()));
                    return null;
                }
                case Decision.Write w -> {
                    long pos = CountersTable.next(tx, COUNTER);
                    long lastSync = Math.max(row.map(PresenceTable.Row::lastSyncTs).orElse(0L),
                            syncing.containsKey(userId) ? now : 0L);
                    PresenceTable.upsert(tx, new PresenceTable.Row(userId, w.presence(), w.statusMsg(), w.lastActiveTs(), lastSync, pos));
                    return new OutputPresenceEvent(userId, w.presence(), w.statusMsg(), w.lastActiveTs(),
                            currentlyActive(w.presence(), w.lastActiveTs()), pos);
                }
            }
        });
        if (out != null) published(out);
    }

    private void published(OutputPresenceEvent change) {
        remember(change.userId(), change.presence());
        ephemeral.publish(STREAM, change.userId(), change);
    }

    /** A change heard on the stream, from this instance or another. */
    private void heard(OutputPresenceEvent change) {
        remember(change.userId(), change.presence());
        wakeSharers.accept(change.userId());
    }

    private void remember(String userId, String presence) {
        if (presence.equals("offline")) known.remove(userId);
        else known.put(userId, presence);
    }

    // ---- the sweep

    private void sweepLoop() {
        while (!closed) {
            try {
                Thread.sleep(timeouts.sweepEvery());
            } catch (InterruptedException e) {
                return;
            }
            try {
                sweep();
            } catch (RuntimeException e) {
                LOG.warn("presence sweep failed; trying again in {}", timeouts.sweepEvery(), e);
            }
        }
    }

    /** Writes the heartbeats of this instance's syncing users, then times out the users nobody has seen. */
    void sweep() {
        long now = clock.millis();
        long offlineMs = timeouts.offlineAfter().toMillis();
        // why: a heartbeat only has to keep last_sync_ts within offlineAfter; a third of it leaves room for two sweeps
        long beatEvery = Math.max(1, offlineMs / 3);
        List<String> beats = new ArrayList<>();
        List<Long> beatTimes = new ArrayList<>();
        syncing.forEach((user, l) -> {
            long seen = l.inFlight > 0 ? now : l.lastSeen;
            if (seen - l.flushed >= beatEvery || (l.inFlight == 0 && seen > l.flushed)) {
                beats.add(user);
                beatTimes.add(seen);
            }
        });
        if (!beats.isEmpty()) {
            db.write(tx -> {
                for (int i = 0; i < beats.size(); i++) PresenceTable.touchSync(tx, beats.get(i), beatTimes.get(i));
                return null;
            });
            for (int i = 0; i < beats.size(); i++) {
                long flushed = beatTimes.get(i);
                syncing.computeIfPresent(beats.get(i), (u, l) -> new Local(l.inFlight, l.lastSeen, Math.max(l.flushed, flushed)));
            }
        }
        syncing.forEach((user, l) -> syncing.computeIfPresent(user, (u, cur) ->
                cur.inFlight <= 0 && cur.flushed >= cur.lastSeen && now - cur.lastSeen > offlineMs ? null : cur));
        activeWritten.values().removeIf(t -> now - t > ACTIVE_WRITE_GRANULARITY_MS);

        long quietSince = now - offlineMs;
        long idleSince = now - timeouts.idleAfter().toMillis();
        List<OutputPresenceEvent> changes = db.write(tx -> {
            List<OutputPresenceEvent> out = new ArrayList<>();
            for (PresenceTable.Row row : PresenceTable.timeoutCandidates(tx, quietSince, idleSince)) {
                Local local = syncing.get(row.userId());
                boolean syncingHere = local != null && (local.inFlight > 0 || local.lastSeen >= quietSince);
                String to;
                if (!syncingHere && Math.max(row.lastSyncTs(), row.lastActiveTs()) < quietSince) to = "offline";
                else if (row.presence().equals("online") && row.lastActiveTs() < idleSince) to = "unavailable";
                else continue;
                long pos = CountersTable.next(tx, COUNTER);
                if (PresenceTable.transition(tx, row.userId(), row.presence(), to, pos)) {
                    out.add(new OutputPresenceEvent(row.userId(), to, row.statusMsg(), row.lastActiveTs(), false, pos));
                }
            }
            return out;
        });
        changes.forEach(this::published);
    }

    @Override
    public void close() {
        closed = true;
        if (sweeper != null) sweeper.interrupt();
        if (listening != null) listening.close();
        if (ownsEphemeral) ephemeral.close();
    }
}
