package dev.myelin.roomserver.internal;

import tools.jackson.databind.node.ObjectNode;

/**
 * An event a local user wants to send, before the roomserver builds it: type, state key (null for a message),
 * content and sender; {@code redacts} for a redaction (placed where the room version wants it).
 */
record EventTemplate(String type, String stateKey, ObjectNode content, String sender, String redacts) {
    static EventTemplate message(String sender, String type, ObjectNode content) {
        return new EventTemplate(type, null, content, sender, null);
    }

    static EventTemplate state(String sender, String type, String stateKey, ObjectNode content) {
        return new EventTemplate(type, stateKey, content, sender, null);
    }
}
