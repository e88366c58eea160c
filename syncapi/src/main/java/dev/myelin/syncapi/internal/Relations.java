package dev.myelin.syncapi.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.syncapi.storage.RelationsTable;
import dev.myelin.syncapi.storage.RoomEventsTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Event relationships (https://spec.matrix.org/v1.19/client-server-api/#forming-relationships-between-events):
 * {@code /relations} with {@code recurse}, {@code /threads}, and the server-side aggregations put in
 * {@code unsigned.m.relations} ({@code m.replace}: the latest edit by the original sender, {@code m.thread}:
 * count, latest event and whether the viewer took part, {@code m.reference}: the referring event IDs).
 */
public final class Relations {
    /** How deep {@code recurse=true} follows relations of relations. */
    static final int MAX_DEPTH = 3;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Database db;
    private final EventRenderer renderer;

    public Relations(Database db, EventRenderer renderer) {
        this.db = db;
        this.renderer = renderer;
    }

    /** What the aggregations of one event hold (NIDs; JSON is read when rendering). */
    public record Aggregation(RelationsTable.Row latestEdit, RelationsTable.Row latestThreadEvent, int threadCount,
                              boolean participated, List<String> references) {}

    /**
     * The aggregations of {@code events} (rows of sync's timeline index) for {@code viewerId}; events without any
     * relation are absent from the map.
     */
    static Map<String, Aggregation> aggregate(Connection c, Collection<RoomEventsTable.Row> events, String viewerId)
            throws SQLException {
        if (events.isEmpty()) return Map.of();
        Map<String, RoomEventsTable.Row> byId = new HashMap<>();
        for (RoomEventsTable.Row e : events) byId.put(e.eventId(), e);
        Map<String, List<RelationsTable.Row>> children = new HashMap<>();
        for (RelationsTable.Row r : RelationsTable.children(c, byId.keySet())) {
            children.computeIfAbsent(r.relatesTo(), k -> new ArrayList<>()).add(r);
        }
        Map<String, Aggregation> out = new HashMap<>();
        for (var entry : children.entrySet()) {
            RoomEventsTable.Row parent = byId.get(entry.getKey());
            RelationsTable.Row edit = null;
            RelationsTable.Row thread = null;
            int threadCount = 0;
            boolean participated = parent.sender().equals(viewerId);
            boolean isThreadRoot = false;
            List<String> references = new ArrayList<>();
            for (RelationsTable.Row r : entry.getValue()) {
                switch (r.relType()) {
                    case "m.replace" -> {
                        // why: only the original sender may edit, and an edit keeps the event's type
                        if (r.sender().equals(parent.sender()) && r.eventType().equals(parent.type())) edit = r;
                    }
                    case "m.thread" -> {
                        isThreadRoot = true;
                        threadCount++;
                        thread = r;
                        if (r.sender().equals(viewerId)) participated = true;
                    }
                    case "m.reference" -> references.add(r.eventId());
                    default -> { }
                }
            }
            if (edit != null || isThreadRoot || !references.isEmpty()) {
                out.put(entry.getKey(), new Aggregation(edit, thread, threadCount, isThreadRoot && participated,
                        references));
            }
        }
        return out;
    }

    /** {@code unsigned.m.relations} of an event with {@code agg}. */
    static ObjectNode relationsJson(EventRenderer renderer, EventRenderer.Viewer viewer, Aggregation agg) {
        ObjectNode relations = JSON.objectNode();
        if (agg.latestEdit() != null) {
            renderer.render(viewer, agg.latestEdit().eventNid(), null, null).ifPresent(e -> relations.set("m.replace", e));
        }
        if (agg.latestThreadEvent() != null) {
            ObjectNode thread = relations.putObject("m.thread");
            renderer.render(viewer, agg.latestThreadEvent().eventNid(), null, null).ifPresent(e -> thread.set("latest_event", e));
            thread.put("count", agg.threadCount());
            thread.put("current_user_participated", agg.participated());
        }
        if (!agg.references().isEmpty()) {
            ArrayNode chunk = relations.putObject("m.reference").putArray("chunk");
            for (String id : agg.references()) chunk.addObject().put("event_id", id);
        }
        return relations;
    }

    /** One {@code /relations} request; {@code from}/{@code to} are boundaries as in {@code /messages}. */
    public record Request(String userId, String deviceId, String roomId, String eventId, Optional<String> relType,
                          Optional<String> eventType, Optional<Long> from, Optional<Long> to, int limit,
                          boolean backwards, boolean recurse) {}

    private record Page(List<RoomEventsTable.Row> rows, Long next, Map<String, Aggregation> aggs) {}

    public ObjectNode relations(Request r) {
        Page page = db.read(c -> {
            RoomEventsTable.Row parent = RoomEventsTable.byEventId(c, r.eventId()).filter(e -> e.roomId().equals(r.roomId()))
                    .orElseThrow(() -> MatrixException.notFound("Event not found"));
            HistoryVisibility visibility = HistoryVisibility.of(c, r.roomId(), r.userId());
            if (!visibility.canSee(parent)) throw MatrixException.notFound("Event not found");
            List<RelationsTable.Row> related = new ArrayList<>();
            Set<String> frontier = Set.of(parent.eventId());
            Set<String> seen = new HashSet<>(frontier);
            int depth = r.recurse() ? MAX_DEPTH : 1;
            for (int level = 0; level < depth && !frontier.isEmpty(); level++) {
                Set<String> next = new HashSet<>();
                for (RelationsTable.Row child : RelationsTable.children(c, frontier)) {
                    if (!child.roomId().equals(r.roomId()) || !seen.add(child.eventId())) continue;
                    next.add(child.eventId());
                    if (r.relType().isPresent() && !r.relType().get().equals(child.relType())) continue;
                    if (r.eventType().isPresent() && !r.eventType().get().equals(child.eventType())) continue;
                    related.add(child);
                }
                frontier = next;
            }
            related.sort(java.util.Comparator.comparingLong(RelationsTable.Row::pos));
            if (r.backwards()) java.util.Collections.reverse(related);
            int limit = Math.min(Math.max(r.limit(), 1), History.MAX_LIMIT);
            List<RoomEventsTable.Row> rows = new ArrayList<>();
            Long next = null;
            for (RelationsTable.Row rel : related) {
                boolean inRange = r.backwards()
                        ? r.from().map(f -> rel.pos() < f).orElse(true) && r.to().map(t -> rel.pos() >= t).orElse(true)
                        : r.from().map(f -> rel.pos() >= f).orElse(true) && r.to().map(t -> rel.pos() < t).orElse(true);
                if (!inRange) continue;
                Optional<RoomEventsTable.Row> row = RoomEventsTable.byEventId(c, rel.eventId());
                if (row.isEmpty() || !visibility.canSee(row.get())) continue;
                if (rows.size() == limit) {
                    RoomEventsTable.Row last = rows.get(rows.size() - 1);
                    next = r.backwards() ? last.pos() : last.pos() + 1;
                    break;
                }
                rows.add(row.get());
            }
            return new Page(rows, next, aggregate(c, rows, r.userId()));
        });
        EventRenderer.Viewer viewer = new EventRenderer.Viewer(r.userId(), r.deviceId(), List.of());
        ObjectNode out = JSON.objectNode();
        ArrayNode chunk = out.putArray("chunk");
        for (RoomEventsTable.Row row : page.rows) {
            renderer.render(viewer, row.eventNid(), row, agg(renderer, viewer, page.aggs.get(row.eventId()))).ifPresent(chunk::add);
        }
        if (page.next != null) out.put("next_batch", SyncToken.roomBoundary(page.next));
        if (r.recurse()) out.put("recursion_depth", MAX_DEPTH);
        return out;
    }

    /** {@code unsigned.m.relations} for an optional aggregation, null when there is none. */
    static ObjectNode agg(EventRenderer renderer, EventRenderer.Viewer viewer, Aggregation a) {
        return a == null ? null : relationsJson(renderer, viewer, a);
    }

    /** One {@code /threads} request: {@code from} is a boundary on the threads' latest activity. */
    public record ThreadsRequest(String userId, String deviceId, String roomId, boolean participatedOnly,
                                 Optional<Long> from, int limit) {}

    public ObjectNode threads(ThreadsRequest r) {
        record Roots(List<RoomEventsTable.Row> roots, Long next, Map<String, Aggregation> aggs) {}
        Roots roots = db.read(c -> {
            HistoryVisibility visibility = HistoryVisibility.of(c, r.roomId(), r.userId());
            if (!visibility.hasAnyAccess()) throw MatrixException.forbidden("You are not allowed to read this room");
            int limit = Math.min(Math.max(r.limit(), 1), History.MAX_LIMIT);
            long before = r.from().orElse(Long.MAX_VALUE);
            List<RoomEventsTable.Row> out = new ArrayList<>();
            Map<String, Aggregation> aggs = new LinkedHashMap<>();
            Long next = null;
            while (out.size() < limit) {
                List<long[]> activity = RelationsTable.threadActivity(c, r.roomId(), before, limit * 2);
                if (activity.isEmpty()) break;
                List<Long> positions = new ArrayList<>();
                for (long[] a : activity) positions.add(a[0]);
                for (RelationsTable.Row latest : RelationsTable.atPositions(c, r.roomId(), positions)) {
                    before = Math.min(before, latest.pos());
                    Optional<RoomEventsTable.Row> root = RoomEventsTable.byEventId(c, latest.relatesTo());
                    if (root.isEmpty() || !visibility.canSee(root.get())) continue;
                    Aggregation agg = aggregate(c, List.of(root.get()), r.userId()).get(root.get().eventId());
                    if (agg == null || (r.participatedOnly() && !agg.participated())) continue;
                    if (out.size() == limit) {
                        next = out.isEmpty() ? null : latest.pos() + 1;
                        break;
                    }
                    out.add(root.get());
                    aggs.put(root.get().eventId(), agg);
                }
                if (next != null || activity.size() < limit * 2) break;
            }
            return new Roots(out, next, aggs);
        });
        EventRenderer.Viewer viewer = new EventRenderer.Viewer(r.userId(), r.deviceId(), List.of());
        ObjectNode out = JSON.objectNode();
        ArrayNode chunk = out.putArray("chunk");
        for (RoomEventsTable.Row root : roots.roots) {
            renderer.render(viewer, root.eventNid(), root, agg(renderer, viewer, roots.aggs.get(root.eventId()))).ifPresent(chunk::add);
        }
        if (roots.next != null) out.put("next_batch", SyncToken.roomBoundary(roots.next));
        return out;
    }
}
