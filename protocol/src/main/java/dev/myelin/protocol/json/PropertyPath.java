package dev.myelin.protocol.json;

import java.util.ArrayList;
import java.util.List;

/**
 * Dot-separated property paths (https://spec.matrix.org/v1.19/appendices/#dot-separated-property-paths), as filters'
 * {@code event_fields} and push rule conditions' {@code key} name a property of an event.
 */
public final class PropertyPath {
    private PropertyPath() {}

    /** Splits a path on unescaped dots: {@code \.} is a literal dot, {@code \\} a backslash, any other backslash itself. */
    public static List<String> split(String path) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char ch = path.charAt(i);
            if (ch == '\\' && i + 1 < path.length() && (path.charAt(i + 1) == '.' || path.charAt(i + 1) == '\\')) {
                current.append(path.charAt(++i));
            } else if (ch == '.') {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(ch);
            }
        }
        parts.add(current.toString());
        return parts;
    }
}
