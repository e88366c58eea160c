package dev.myelin.syncapi.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.syncapi.storage.CountersTable;
import dev.myelin.syncapi.storage.PresenceTable;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Presence (https://spec.matrix.org/v1.19/client-server-api/#presence): each user's state as last set (by
 * {@code PUT /presence/{userId}/status} or {@code set_presence} on {@code /sync}), stored under the presence
 * position ({@code p} in sync tokens) and delivered to the users who share a room with them. Can be disabled:
 * then nothing is stored or sent and the endpoints answer 403 as Synapse does.
 */
public final class Presence {
    public static final Set<String> STATES = Set.of("online", "offline", "unavailable");
    static final String COUNTER = "presence";

    private final Database db;
    private final Clock clock;
    private final boolean enabled;
    private final Consumer<String> wakeSharers;
    private final java.util.concurrent.ConcurrentHashMap<String, String> recent = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param wakeSharers wakes the polls of a user and of everyone sharing a room with them */
    public Presence(Database db, Clock clock, boolean enabled, Consumer<String> wakeSharers) {
        this.db = db;
        this.clock = clock;
        this.enabled = enabled;
        this.wakeSharers = wakeSharers;
    }

    public boolean enabled() { return enabled; }

    /** Sets {@code userId}'s presence; a repeat of the same state and message changes nothing (no position). */
    public void set(String userId, String presence, Optional<String> statusMsg) {
        if (!enabled) return;
        if (!STATES.contains(presence)) throw MatrixException.invalidParam("presence must be online, offline or unavailable");
        // why: every /sync poll sets presence; repeating the same state within a minute must not cost a write
        String seen = recent.get(userId);
        if (statusMsg.isEmpty() && seen != null && seen.startsWith(presence + "@")
                && clock.millis() - Long.parseLong(seen.substring(presence.length() + 1)) < 60_000) {
            return;
        }
        boolean changed = db.write(tx -> {
            Optional<PresenceTable.Row> now = PresenceTable.get(tx, userId);
            String msg = statusMsg.orElse(now.map(PresenceTable.Row::statusMsg).orElse(null));
            if (now.isPresent() && now.get().presence().equals(presence) && java.util.Objects.equals(now.get().statusMsg(), msg)
                    && clock.millis() - now.get().lastActiveTs() < 60_000) {
                return false;
            }
            PresenceTable.upsert(tx, new PresenceTable.Row(userId, presence, msg, clock.millis(), CountersTable.next(tx, COUNTER)));
            return true;
        });
        recent.put(userId, presence + "@" + clock.millis());
        if (changed) wakeSharers.accept(userId);
    }

    /** {@code GET /presence/{userId}/status}: 404 when the user never set any. */
    public ObjectNode status(String userId) {
        if (!enabled) throw MatrixException.forbidden("Presence is disabled on this server");
        PresenceTable.Row row = db.read(c -> PresenceTable.get(c, userId))
                .orElseThrow(() -> MatrixException.notFound("No presence for " + userId));
        ObjectNode out = content(row);
        out.remove("user_id");
        return out;
    }

    public long position() {
        return enabled ? db.read(c -> CountersTable.current(c, COUNTER)) : 0;
    }

    /** The {@code presence.events} of a sync response for {@code userId} in {@code (since, upTo]}. */
    ArrayNode events(java.sql.Connection c, String userId, long since, long upTo) throws java.sql.SQLException {
        ArrayNode events = JsonNodeFactory.instance.arrayNode();
        if (!enabled) return events;
        for (PresenceTable.Row row : PresenceTable.changedFor(c, userId, since, upTo)) {
            ObjectNode e = events.addObject();
            e.put("type", "m.presence");
            e.put("sender", row.userId());
            e.set("content", content(row));
        }
        return events;
    }

    private ObjectNode content(PresenceTable.Row row) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("presence", row.presence());
        out.put("user_id", row.userId());
        long ago = Math.max(0, clock.millis() - row.lastActiveTs());
        out.put("last_active_ago", ago);
        out.put("currently_active", row.presence().equals("online") && ago < 5 * 60_000);
        if (row.statusMsg() != null) out.put("status_msg", row.statusMsg());
        return out;
    }
}
