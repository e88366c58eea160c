package dev.myelin.syncapi.internal;

import dev.myelin.platform.http.MatrixException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A client's filter (https://spec.matrix.org/v1.19/client-server-api/#filtering), parsed and checked once:
 * every field of {@code Filter}, {@code RoomFilter}, {@code RoomEventFilter} and {@code EventFilter}. Bad shapes
 * are 400 {@code M_BAD_JSON}. Matching reads only indexed facts (type, sender, room, has a URL).
 */
public record SyncFilter(List<String> eventFields, String eventFormat, EventFilter presence, EventFilter accountData,
                         RoomFilter room) {

    /** The filter of a request without one. */
    public static final SyncFilter DEFAULT = parse(null);

    /** {@code EventFilter} and {@code RoomEventFilter} (the room-only fields are unset for the former). */
    public record EventFilter(Optional<Integer> limit, Optional<List<String>> types, List<String> notTypes,
                              Optional<List<String>> senders, List<String> notSenders,
                              Optional<List<String>> rooms, List<String> notRooms, Optional<Boolean> containsUrl,
                              boolean lazyLoadMembers, boolean includeRedundantMembers,
                              boolean unreadThreadNotifications) {

        /**
         * Whether an event with these facts passes (rooms checked too when {@code roomId} is given, senders when
         * {@code sender} is).
         */
        public boolean matches(String roomId, String type, String sender, boolean hasUrl) {
            if (roomId != null && !roomAllowed(roomId)) return false;
            if (notTypes.stream().anyMatch(p -> typeMatches(p, type))) return false;
            if (types.isPresent() && types.get().stream().noneMatch(p -> typeMatches(p, type))) return false;
            if (sender != null && notSenders.contains(sender)) return false;
            if (sender != null && senders.isPresent() && !senders.get().contains(sender)) return false;
            return containsUrl.isEmpty() || containsUrl.get() == hasUrl;
        }

        public boolean roomAllowed(String roomId) {
            return !notRooms.contains(roomId) && (rooms.isEmpty() || rooms.get().contains(roomId));
        }

        /** Whether nothing is filtered out (then queries need not look at each event). */
        public boolean matchesEverything() {
            return types.isEmpty() && notTypes.isEmpty() && senders.isEmpty() && notSenders.isEmpty()
                    && rooms.isEmpty() && notRooms.isEmpty() && containsUrl.isEmpty();
        }

        public int limitOr(int fallback) {
            return limit.orElse(fallback);
        }
    }

    /** {@code RoomFilter}. */
    public record RoomFilter(Optional<List<String>> rooms, List<String> notRooms, boolean includeLeave,
                             EventFilter timeline, EventFilter state, EventFilter ephemeral, EventFilter accountData) {

        public boolean roomAllowed(String roomId) {
            return !notRooms.contains(roomId) && (rooms.isEmpty() || rooms.get().contains(roomId));
        }
    }

    /** Parses a filter object ({@code null}: the empty filter). */
    public static SyncFilter parse(ObjectNode json) {
        ObjectNode f = json == null ? emptyObject() : json;
        List<String> eventFields = strings(f, "event_fields").orElse(List.of());
        String format = "client";
        JsonNode fmt = f.get("event_format");
        if (fmt != null && !fmt.isNull()) {
            if (!fmt.isString() || !(fmt.stringValue().equals("client") || fmt.stringValue().equals("federation"))) {
                throw MatrixException.badJson("event_format must be \"client\" or \"federation\"");
            }
            format = fmt.stringValue();
        }
        ObjectNode room = object(f, "room");
        RoomFilter roomFilter = new RoomFilter(strings(room, "rooms"), strings(room, "not_rooms").orElse(List.of()),
                bool(room, "include_leave", false), eventFilter(object(room, "timeline")),
                eventFilter(object(room, "state")), eventFilter(object(room, "ephemeral")),
                eventFilter(object(room, "account_data")));
        return new SyncFilter(eventFields, format, eventFilter(object(f, "presence")),
                eventFilter(object(f, "account_data")), roomFilter);
    }

    /** Parses a {@code RoomEventFilter} on its own (the {@code filter} of {@code /messages} and {@code /context}). */
    public static EventFilter eventFilter(ObjectNode o) {
        Optional<Integer> limit = Optional.empty();
        JsonNode l = o.get("limit");
        if (l != null && !l.isNull()) {
            if (!l.isIntegralNumber() || !l.canConvertToInt() || l.intValue() < 1) {
                throw MatrixException.badJson("limit must be a positive integer");
            }
            limit = Optional.of(l.intValue());
        }
        Optional<Boolean> containsUrl = Optional.empty();
        JsonNode cu = o.get("contains_url");
        if (cu != null && !cu.isNull()) {
            if (!cu.isBoolean()) throw MatrixException.badJson("contains_url must be a boolean");
            containsUrl = Optional.of(cu.booleanValue());
        }
        return new EventFilter(limit, strings(o, "types"), strings(o, "not_types").orElse(List.of()),
                strings(o, "senders"), strings(o, "not_senders").orElse(List.of()), strings(o, "rooms"),
                strings(o, "not_rooms").orElse(List.of()), containsUrl, bool(o, "lazy_load_members", false),
                bool(o, "include_redundant_members", false), bool(o, "unread_thread_notifications", false));
    }

    /** Whether {@code pattern} (with {@code *} wildcards) matches the whole of {@code type}. */
    static boolean typeMatches(String pattern, String type) {
        if (pattern.indexOf('*') < 0) return pattern.equals(type);
        String[] parts = pattern.split("\\*", -1);
        if (!type.startsWith(parts[0])) return false;
        int at = parts[0].length();
        for (int i = 1; i < parts.length - 1; i++) {
            int found = type.indexOf(parts[i], at);
            if (found < 0) return false;
            at = found + parts[i].length();
        }
        String last = parts[parts.length - 1];
        return type.length() - at >= last.length() && type.endsWith(last);
    }

    private static ObjectNode object(ObjectNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return emptyObject();
        if (!(v instanceof ObjectNode obj)) throw MatrixException.badJson(field + " must be an object");
        return obj;
    }

    private static Optional<List<String>> strings(ObjectNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isArray()) throw MatrixException.badJson(field + " must be an array of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode e : v.values()) {
            if (!e.isString()) throw MatrixException.badJson(field + " must be an array of strings");
            out.add(e.stringValue());
        }
        return Optional.of(List.copyOf(out));
    }

    private static boolean bool(ObjectNode o, String field, boolean fallback) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isBoolean()) throw MatrixException.badJson(field + " must be a boolean");
        return v.booleanValue();
    }

    private static ObjectNode emptyObject() {
        return tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
}
