package dev.myelin.clientapi.routing;

import dev.myelin.platform.http.MatrixException;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks an uploaded filter against the shapes of the spec's {@code Filter}, {@code EventFilter} and
 * {@code RoomEventFilter} (https://spec.matrix.org/v1.19/client-server-api/#filtering): a field of the wrong type
 * is 400 {@code M_BAD_JSON}, a value out of range 400 {@code M_INVALID_PARAM}. Unknown fields are kept.
 */
final class FilterCheck {
    private static final Set<String> STRING_LISTS = Set.of("event_fields", "not_senders", "not_types", "senders", "types",
            "not_rooms", "rooms");
    private static final Set<String> FLAGS = Set.of("include_leave", "unread_thread_notifications", "lazy_load_members",
            "include_redundant_members", "contains_url");
    private static final Set<String> EVENT_FILTERS = Set.of("presence", "account_data", "ephemeral", "state", "timeline");

    private FilterCheck() {}

    static void check(ObjectNode filter) {
        JsonNode format = filter.get("event_format");
        if (format != null && !format.isNull()) {
            if (!format.isString()) throw MatrixException.badJson("'event_format' must be a string");
            if (!format.asString().equals("client") && !format.asString().equals("federation")) {
                throw MatrixException.invalidParam("'event_format' must be client or federation");
            }
        }
        checkFields(filter, "");
    }

    private static void checkFields(ObjectNode object, String path) {
        for (var entry : object.properties()) {
            String name = entry.getKey();
            JsonNode value = entry.getValue();
            String where = path + name;
            if (value.isNull()) continue;
            if (STRING_LISTS.contains(name)) {
                if (!value.isArray()) throw MatrixException.badJson("'" + where + "' must be a list of strings");
                for (JsonNode item : value) {
                    if (!item.isString()) throw MatrixException.badJson("'" + where + "' must be a list of strings");
                }
            } else if (FLAGS.contains(name)) {
                if (!value.isBoolean()) throw MatrixException.badJson("'" + where + "' must be true or false");
            } else if (name.equals("limit")) {
                if (!value.isIntegralNumber()) throw MatrixException.badJson("'" + where + "' must be an integer");
                if (value.asLong() < 1) throw MatrixException.invalidParam("'" + where + "' must be greater than 0");
            } else if (name.equals("room") || EVENT_FILTERS.contains(name)) {
                if (!(value instanceof ObjectNode inner)) throw MatrixException.badJson("'" + where + "' must be an object");
                checkFields(inner, where + ".");
            }
        }
    }
}
