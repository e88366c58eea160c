package dev.myelin.userapi.internal;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The user API's JSON mapper, for the JSON documents it stores (profiles, account data, filters, push rules). */
public final class Json {
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {}

    public static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    public static ObjectNode readObject(String text) {
        return (ObjectNode) MAPPER.readTree(text);
    }
}
