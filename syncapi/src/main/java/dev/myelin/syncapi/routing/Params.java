package dev.myelin.syncapi.routing;

import dev.myelin.platform.http.HttpCall;
import dev.myelin.platform.http.MatrixException;
import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.syncapi.internal.SyncFilter;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Query parameters the sync routes share: integers and inline filters, bad values as Matrix errors. */
final class Params {
    private Params() {}

    static int intParam(HttpCall call, String name, int fallback) {
        return call.queryParam(name).map(v -> {
            try {
                int n = Integer.parseInt(v);
                if (n < 0) throw MatrixException.invalidParam(name + " must not be negative");
                return n;
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam(name + " must be an integer");
            }
        }).orElse(fallback);
    }

    /** An inline JSON object parameter, or 400. */
    static ObjectNode jsonObject(String name, String value) {
        JsonNode json;
        try {
            json = ProtocolJson.parseLenient(value);
        } catch (JacksonException | ProtocolException e) {
            throw MatrixException.notJson(name + " is not valid JSON");
        }
        if (!(json instanceof ObjectNode object)) throw MatrixException.badJson(name + " must be a JSON object");
        return object;
    }

    /**
     * The {@code filter} parameter of {@code /messages} and {@code /context}: a {@code RoomEventFilter}, returned
     * as the timeline filter of a whole filter (with its {@code event_fields}, which a RoomEventFilter lacks).
     */
    static SyncFilter filter(HttpCall call) {
        return call.queryParam("filter").filter(s -> !s.isEmpty()).map(v -> {
            ObjectNode roomEventFilter = jsonObject("filter", v);
            ObjectNode whole = JsonNodeFactory.instance.objectNode();
            whole.putObject("room").set("timeline", roomEventFilter);
            return SyncFilter.parse(whole);
        }).orElse(SyncFilter.DEFAULT);
    }
}
