package dev.myelin.syncapi.internal;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.syncapi.storage.RoomEventsTable;
import dev.myelin.syncapi.storage.SearchTable;
import dev.myelin.syncapi.storage.StateTables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /search} over room events (https://spec.matrix.org/v1.19/client-server-api/#server-side-search):
 * full-text matches in the rooms the user is or was joined to (up to the leave), ranked or newest first, with the filter, history
 * visibility and ignored users applied, {@code event_context}, {@code include_state}, groupings by room and
 * sender, highlights, and pagination by offset ({@code next_batch} {@code o<offset>}).
 */
public final class Search {
    static final List<String> KEYS = List.of("content.body", "content.name", "content.topic");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Database db;
    private final EventRenderer renderer;

    private final java.util.function.Function<String, Set<String>> forgottenRooms;

    /** @param forgottenRooms the rooms a user has forgotten: not searched (their history is no longer the user's) */
    public Search(Database db, EventRenderer renderer, java.util.function.Function<String, Set<String>> forgottenRooms) {
        this.db = db;
        this.renderer = renderer;
        this.forgottenRooms = forgottenRooms;
    }

    /** The parsed {@code room_events} criteria. */
    private record Criteria(String term, List<String> keys, SyncFilter.EventFilter filter, boolean recent,
                            int beforeLimit, int afterLimit, boolean includeProfile, boolean eventContext,
                            boolean includeState, Set<String> groupBy) {}

    private record Found(RoomEventsTable.Row row, double rank, List<RoomEventsTable.Row> before,
                         List<RoomEventsTable.Row> after, Map<String, StateTables.Entry> profiles) {}

    public ObjectNode search(String userId, String deviceId, ObjectNode body, Optional<String> nextBatch, Set<String> ignored) {
        JsonNode categories = body.get("search_categories");
        if (!(categories instanceof ObjectNode cats)) throw MatrixException.badJson("search_categories must be an object");
        ObjectNode out = JSON.objectNode();
        ObjectNode outCategories = out.putObject("search_categories");
        JsonNode roomEvents = cats.get("room_events");
        if (roomEvents == null || roomEvents.isNull()) return out;
        if (!(roomEvents instanceof ObjectNode criteriaJson)) throw MatrixException.badJson("room_events must be an object");
        Criteria criteria = criteria(criteriaJson);
        int offset = nextBatch.map(Search::offset).orElse(0);
        int limit = Math.min(criteria.filter.limitOr(10), 100);
        List<String> words = SearchTable.words(criteria.term);

        record Page(List<Found> found, long count, Integer next, Map<String, List<StateTables.Entry>> state) {}
        Set<String> forgotten = forgottenRooms.apply(userId);
        Page page = db.read(c -> {
            Set<String> rooms = new LinkedHashSet<>();
            // why: rooms the user left stay searchable up to the leave; history visibility decides per event
            for (StateTables.Entry m : StateTables.membershipsOf(c, userId)) {
                if (!"invite".equals(m.membership()) && !"knock".equals(m.membership()) && criteria.filter.roomAllowed(m.roomId())
                        && !forgotten.contains(m.roomId())) {
                    rooms.add(m.roomId());
                }
            }
            long count = SearchTable.count(c, db.dialect(), rooms, words, criteria.keys);
            List<Found> found = new ArrayList<>();
            Map<String, HistoryVisibility> visibility = new HashMap<>();
            int cursor = offset;
            Integer next = null;
            while (found.size() < limit) {
                List<SearchTable.Hit> hits = SearchTable.search(c, db.dialect(), rooms, words, criteria.keys, criteria.recent,
                        limit * 2, cursor);
                for (SearchTable.Hit hit : hits) {
                    cursor++;
                    Optional<RoomEventsTable.Row> row = RoomEventsTable.byPos(c, hit.pos());
                    if (row.isEmpty()) continue;
                    RoomEventsTable.Row e = row.get();
                    if (!criteria.filter.matches(e.roomId(), e.type(), e.sender(), e.containsUrl())) continue;
                    if (History.ignoredMessage(e, ignored)) continue;
                    HistoryVisibility v = visibility.get(e.roomId());
                    if (v == null) {
                        v = HistoryVisibility.of(c, e.roomId(), userId);
                        visibility.put(e.roomId(), v);
                    }
                    if (!v.canSee(e)) continue;
                    HistoryVisibility seen = v;
                    List<RoomEventsTable.Row> before = List.of();
                    List<RoomEventsTable.Row> after = List.of();
                    Map<String, StateTables.Entry> profiles = new HashMap<>();
                    if (criteria.eventContext) {
                        before = criteria.beforeLimit == 0 ? List.of() : RoomHistory.newest(c, e.roomId(), 0, e.pos() - 1,
                                criteria.beforeLimit, seen::canSee);
                        after = criteria.afterLimit == 0 ? List.of() : RoomHistory.oldest(c, e.roomId(), e.pos() + 1,
                                Long.MAX_VALUE, criteria.afterLimit, seen::canSee);
                        if (criteria.includeProfile) {
                            Set<String> senders = new LinkedHashSet<>();
                            senders.add(e.sender());
                            before.forEach(b -> senders.add(b.sender()));
                            after.forEach(a -> senders.add(a.sender()));
                            for (String s : senders) {
                                StateTables.at(c, e.roomId(), "m.room.member", s, e.pos())
                                        .filter(m -> m.eventNid() != null).ifPresent(m -> profiles.put(s, m));
                            }
                        }
                    }
                    found.add(new Found(e, hit.rank(), before, after, profiles));
                    if (found.size() == limit) break;
                }
                if (hits.size() < limit * 2) {
                    if (found.size() == limit && cursor < count) next = cursor;
                    break;
                }
                if (found.size() == limit) {
                    next = cursor;
                    break;
                }
            }
            Map<String, List<StateTables.Entry>> state = new LinkedHashMap<>();
            if (criteria.includeState) {
                for (Found f : found) {
                    if (!state.containsKey(f.row.roomId())) state.put(f.row.roomId(), StateTables.current(c, f.row.roomId()));
                }
            }
            return new Page(found, count, next, state);
        });

        EventRenderer.Viewer viewer = new EventRenderer.Viewer(userId, deviceId, List.of());
        ObjectNode result = outCategories.putObject("room_events");
        ArrayNode results = result.putArray("results");
        Map<String, Map<String, List<String>>> groups = new LinkedHashMap<>();
        for (Found f : page.found) {
            Optional<ObjectNode> event = renderer.render(viewer, f.row.eventNid(), f.row);
            if (event.isEmpty()) continue;
            ObjectNode item = results.addObject();
            item.put("rank", f.rank);
            item.set("result", event.get());
            if (criteria.eventContext) {
                ObjectNode context = item.putObject("context");
                ArrayNode before = context.putArray("events_before");
                for (RoomEventsTable.Row b : f.before) renderer.render(viewer, b.eventNid(), b).ifPresent(before::add);
                ArrayNode after = context.putArray("events_after");
                for (RoomEventsTable.Row a : f.after) renderer.render(viewer, a.eventNid(), a).ifPresent(after::add);
                long start = f.before.isEmpty() ? f.row.pos() : f.before.get(f.before.size() - 1).pos();
                long end = (f.after.isEmpty() ? f.row.pos() : f.after.get(f.after.size() - 1).pos()) + 1;
                context.put("start", SyncToken.roomBoundary(start));
                context.put("end", SyncToken.roomBoundary(end));
                if (criteria.includeProfile) {
                    ObjectNode profileInfo = context.putObject("profile_info");
                    for (var p : f.profiles.entrySet()) {
                        renderer.render(viewer, p.getValue().eventNid(), null).ifPresent(member -> {
                            ObjectNode profile = profileInfo.putObject(p.getKey());
                            JsonNode content = member.path("content");
                            if (content.path("displayname").isString()) profile.set("displayname", content.get("displayname"));
                            if (content.path("avatar_url").isString()) profile.set("avatar_url", content.get("avatar_url"));
                        });
                    }
                }
            }
            for (String key : criteria.groupBy) {
                String value = key.equals("room_id") ? f.row.roomId() : f.row.sender();
                groups.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(value, v -> new ArrayList<>())
                        .add(f.row.eventId());
            }
        }
        result.put("count", page.count);
        ArrayNode highlights = result.putArray("highlights");
        words.forEach(highlights::add);
        if (page.next != null) result.put("next_batch", "o" + page.next);
        if (!criteria.groupBy.isEmpty()) {
            ObjectNode groupsJson = result.putObject("groups");
            for (String key : criteria.groupBy) {
                ObjectNode byKey = groupsJson.putObject(key);
                int order = 0;
                for (var g : groups.getOrDefault(key, Map.of()).entrySet()) {
                    ObjectNode group = byKey.putObject(g.getKey());
                    group.put("order", order++);
                    ArrayNode ids = group.putArray("results");
                    g.getValue().forEach(ids::add);
                    if (page.next != null) group.put("next_batch", "o" + page.next);
                }
            }
        }
        if (criteria.includeState) {
            ObjectNode state = result.putObject("state");
            for (var s : page.state.entrySet()) {
                ArrayNode events = state.putArray(s.getKey());
                for (StateTables.Entry e : s.getValue()) renderer.render(viewer, e.eventNid(), null).ifPresent(events::add);
            }
        }
        return out;
    }

    private static Criteria criteria(ObjectNode o) {
        JsonNode term = o.get("search_term");
        if (term == null || !term.isString()) throw MatrixException.badJson("search_term must be a string");
        List<String> keys = KEYS;
        JsonNode k = o.get("keys");
        if (k != null && !k.isNull()) {
            if (!k.isArray()) throw MatrixException.badJson("keys must be an array");
            List<String> chosen = new ArrayList<>();
            for (JsonNode key : k.values()) {
                if (!key.isString() || !KEYS.contains(key.stringValue())) {
                    throw MatrixException.badJson("keys may only be content.body, content.name and content.topic");
                }
                chosen.add(key.stringValue());
            }
            keys = chosen;
        }
        SyncFilter.EventFilter filter = o.get("filter") instanceof ObjectNode f ? SyncFilter.eventFilter(f)
                : SyncFilter.eventFilter(JSON.objectNode());
        String orderBy = o.path("order_by").isString() ? o.get("order_by").stringValue() : "rank";
        if (!orderBy.equals("rank") && !orderBy.equals("recent")) throw MatrixException.badJson("order_by must be rank or recent");
        JsonNode ctx = o.get("event_context");
        boolean eventContext = ctx instanceof ObjectNode;
        int before = eventContext ? nonNegative(ctx, "before_limit", 5) : 0;
        int after = eventContext ? nonNegative(ctx, "after_limit", 5) : 0;
        boolean profile = eventContext && ctx.path("include_profile").asBoolean(false);
        boolean includeState = o.path("include_state").asBoolean(false);
        Set<String> groupBy = new LinkedHashSet<>();
        for (JsonNode g : o.path("groupings").path("group_by").values()) {
            String key = g.path("key").asString("");
            if (!key.equals("room_id") && !key.equals("sender")) throw MatrixException.badJson("group_by key must be room_id or sender");
            groupBy.add(key);
        }
        return new Criteria(term.stringValue(), keys, filter, orderBy.equals("recent"), before, after, profile, eventContext,
                includeState, groupBy);
    }

    private static int nonNegative(JsonNode o, String field, int fallback) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isIntegralNumber() || v.intValue() < 0) throw MatrixException.badJson(field + " must be a non-negative integer");
        return Math.min(v.intValue(), 100);
    }

    private static int offset(String token) {
        try {
            if (!token.startsWith("o")) throw new NumberFormatException();
            int n = Integer.parseInt(token.substring(1));
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("Unknown next_batch token");
        }
    }
}
