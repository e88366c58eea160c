package dev.myelin.syncapi.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.syncapi.storage.RoomEventsTable;
import dev.myelin.syncapi.storage.StateTables;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Room history from sync's timeline index: {@code /messages} (pagination both ways between {@code t<pos>}
 * boundaries) and {@code /context/{eventId}}; each event checked against history visibility, event JSON read
 * from the event store after the index transaction.
 */
public final class History {
    /** The most events one page may hold, whatever the client asks. */
    public static final int MAX_LIMIT = 1000;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Database db;
    private final EventRenderer renderer;

    public History(Database db, EventRenderer renderer) {
        this.db = db;
        this.renderer = renderer;
    }

    /** One {@code /messages} request. {@code from}/{@code to} are boundaries ({@link SyncToken#parseBoundary}). */
    public record MessagesRequest(String userId, String deviceId, String roomId, Optional<Long> from,
                                  Optional<Long> to, boolean backwards, int limit, SyncFilter.EventFilter filter,
                                  List<String> eventFields, Set<String> ignored) {}

    private record Page(List<RoomEventsTable.Row> rows, long start, Long end, List<StateTables.Entry> members,
                        Map<String, Relations.Aggregation> aggs) {}

    public ObjectNode messages(MessagesRequest r) {
        Page page = db.read(c -> {
            HistoryVisibility visibility = HistoryVisibility.of(c, r.roomId(), r.userId());
            if (!visibility.hasAnyAccess()) {
                throw MatrixException.forbidden("You are not allowed to read the history of this room");
            }
            long head = RoomEventsTable.head(c);
            int limit = Math.min(Math.max(r.limit(), 1), MAX_LIMIT);
            List<RoomEventsTable.Row> rows;
            long start;
            Long end = null;
            if (r.backwards()) {
                start = r.from().orElse(head + 1);
                long after = r.to().map(t -> t - 1).orElse(0L);
                rows = RoomHistory.newest(c, r.roomId(), Math.max(after, 0), start - 1, limit + 1,
                        row -> r.filter().matches(r.roomId(), row.type(), row.sender(), row.containsUrl())
                                && visibility.canSee(row) && !ignoredMessage(row, r.ignored()));
                if (rows.size() > limit) {
                    rows = rows.subList(0, limit);
                    end = rows.get(rows.size() - 1).pos();
                }
            } else {
                start = r.from().orElse(1L);
                long upTo = r.to().map(t -> t - 1).orElse(head);
                rows = RoomHistory.oldest(c, r.roomId(), start, upTo, limit + 1,
                        row -> r.filter().matches(r.roomId(), row.type(), row.sender(), row.containsUrl())
                                && visibility.canSee(row) && !ignoredMessage(row, r.ignored()));
                if (rows.size() > limit) {
                    rows = rows.subList(0, limit);
                    end = rows.get(rows.size() - 1).pos() + 1;
                } else if (!rows.isEmpty() || r.to().isEmpty()) {
                    // why: a client that reached the end going forwards keeps polling from here for new events
                    end = rows.isEmpty() ? start : rows.get(rows.size() - 1).pos() + 1;
                }
            }
            List<StateTables.Entry> members = r.filter().lazyLoadMembers() ? senderMembers(c, r.roomId(), rows) : List.of();
            return new Page(List.copyOf(rows), start, end, members, Relations.aggregate(c, rows, r.userId()));
        });
        EventRenderer.Viewer viewer = new EventRenderer.Viewer(r.userId(), r.deviceId(), r.eventFields());
        ObjectNode out = JSON.objectNode();
        ArrayNode chunk = out.putArray("chunk");
        for (RoomEventsTable.Row row : page.rows) {
            renderer.render(viewer, row.eventNid(), row, Relations.agg(renderer, viewer, page.aggs.get(row.eventId())))
                    .ifPresent(chunk::add);
        }
        out.put("start", SyncToken.roomBoundary(page.start));
        if (page.end != null) out.put("end", SyncToken.roomBoundary(page.end));
        if (r.filter().lazyLoadMembers()) {
            ArrayNode state = out.putArray("state");
            for (StateTables.Entry e : page.members) renderer.render(viewer, e.eventNid(), null).ifPresent(state::add);
        }
        return out;
    }

    static boolean ignoredMessage(RoomEventsTable.Row row, Set<String> ignored) {
        return row.stateKey() == null && ignored.contains(row.sender());
    }

    /** The member events (current as of the newest event of the page) of the page's senders. */
    private static List<StateTables.Entry> senderMembers(java.sql.Connection c, String roomId,
                                                         List<RoomEventsTable.Row> rows) throws java.sql.SQLException {
        Set<String> senders = new LinkedHashSet<>();
        long at = 0;
        for (RoomEventsTable.Row row : rows) {
            senders.add(row.sender());
            at = Math.max(at, row.pos());
        }
        List<StateTables.Entry> out = new ArrayList<>();
        for (String sender : senders) {
            StateTables.at(c, roomId, "m.room.member", sender, at).filter(e -> e.eventNid() != null).ifPresent(out::add);
        }
        return out;
    }

    /** One {@code /context/{eventId}} request. */
    public record ContextRequest(String userId, String deviceId, String roomId, String eventId, int limit,
                                 SyncFilter.EventFilter filter, List<String> eventFields, Set<String> ignored) {}

    private record Context(RoomEventsTable.Row event, List<RoomEventsTable.Row> before, List<RoomEventsTable.Row> after,
                           List<StateTables.Entry> state, Map<String, Relations.Aggregation> aggs) {}

    public ObjectNode context(ContextRequest r) {
        Context ctx = db.read(c -> {
            RoomEventsTable.Row event = RoomEventsTable.byEventId(c, r.eventId())
                    .filter(e -> e.roomId().equals(r.roomId()))
                    .orElseThrow(() -> MatrixException.notFound("Event not found"));
            HistoryVisibility visibility = HistoryVisibility.of(c, r.roomId(), r.userId());
            if (!visibility.canSee(event)) throw MatrixException.notFound("Event not found");
            int limit = Math.min(Math.max(r.limit(), 0), MAX_LIMIT);
            int beforeCount = limit / 2;
            int afterCount = limit - beforeCount;
            var accept = (java.util.function.Predicate<RoomEventsTable.Row>) row ->
                    r.filter().matches(r.roomId(), row.type(), row.sender(), row.containsUrl()) && visibility.canSee(row)
                    && !ignoredMessage(row, r.ignored());
            List<RoomEventsTable.Row> before = beforeCount == 0 ? List.of()
                    : RoomHistory.newest(c, r.roomId(), 0, event.pos() - 1, beforeCount, accept);
            long head = RoomEventsTable.head(c);
            List<RoomEventsTable.Row> after = afterCount == 0 ? List.of()
                    : RoomHistory.oldest(c, r.roomId(), event.pos() + 1, head, afterCount, accept);
            long lastPos = after.isEmpty() ? event.pos() : after.get(after.size() - 1).pos();
            List<StateTables.Entry> state = new ArrayList<>();
            Set<String> senders = new LinkedHashSet<>();
            senders.add(event.sender());
            before.forEach(e -> senders.add(e.sender()));
            after.forEach(e -> senders.add(e.sender()));
            for (Map.Entry<String, StateTables.Entry> e : RoomState.delta(c, r.roomId(), 0, lastPos).entrySet()) {
                StateTables.Entry s = e.getValue();
                if (s.eventNid() == null) continue;
                if (r.filter().lazyLoadMembers() && s.type().equals("m.room.member") && !senders.contains(s.stateKey())) continue;
                state.add(s);
            }
            List<RoomEventsTable.Row> all = new ArrayList<>(before);
            all.add(event);
            all.addAll(after);
            return new Context(event, before, after, state, Relations.aggregate(c, all, r.userId()));
        });
        EventRenderer.Viewer viewer = new EventRenderer.Viewer(r.userId(), r.deviceId(), r.eventFields());
        ObjectNode out = JSON.objectNode();
        renderer.render(viewer, ctx.event.eventNid(), ctx.event, Relations.agg(renderer, viewer, ctx.aggs.get(ctx.event.eventId())))
                .ifPresent(e -> out.set("event", e));
        ArrayNode before = out.putArray("events_before");
        for (RoomEventsTable.Row row : ctx.before) {
            renderer.render(viewer, row.eventNid(), row, Relations.agg(renderer, viewer, ctx.aggs.get(row.eventId())))
                    .ifPresent(before::add);
        }
        ArrayNode after = out.putArray("events_after");
        for (RoomEventsTable.Row row : ctx.after) {
            renderer.render(viewer, row.eventNid(), row, Relations.agg(renderer, viewer, ctx.aggs.get(row.eventId())))
                    .ifPresent(after::add);
        }
        long start = ctx.before.isEmpty() ? ctx.event.pos() : ctx.before.get(ctx.before.size() - 1).pos();
        long end = (ctx.after.isEmpty() ? ctx.event.pos() : ctx.after.get(ctx.after.size() - 1).pos()) + 1;
        out.put("start", SyncToken.roomBoundary(start));
        out.put("end", SyncToken.roomBoundary(end));
        ArrayNode state = out.putArray("state");
        for (StateTables.Entry e : ctx.state) renderer.render(viewer, e.eventNid(), null).ifPresent(state::add);
        return out;
    }
}
