package dev.myelin.syncapi.internal;

import dev.myelin.protocol.json.PropertyPath;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A filter's {@code event_fields}: keeps only the listed fields of an event. Each entry is a dot-separated path
 * into the event; {@code \.} is a literal dot and {@code \\} a literal backslash, as the spec says.
 */
final class EventFields {
    private EventFields() {}

    /** {@code event} reduced to {@code fields}; the event itself when {@code fields} is empty. */
    static ObjectNode apply(ObjectNode event, List<String> fields) {
        if (fields.isEmpty()) return event;
        ObjectNode out = event.objectNode();
        for (String field : fields) {
            List<String> path = split(field);
            if (path.isEmpty()) continue;
            JsonNode from = event;
            ObjectNode to = out;
            for (int i = 0; i < path.size(); i++) {
                if (!(from instanceof ObjectNode obj)) break;
                JsonNode value = obj.get(path.get(i));
                if (value == null) break;
                if (i == path.size() - 1) {
                    to.set(path.get(i), value);
                } else {
                    JsonNode existing = to.get(path.get(i));
                    to = existing instanceof ObjectNode o ? o : to.putObject(path.get(i));
                    from = value;
                }
            }
        }
        return out;
    }

    static List<String> split(String field) {
        return PropertyPath.split(field);
    }
}
