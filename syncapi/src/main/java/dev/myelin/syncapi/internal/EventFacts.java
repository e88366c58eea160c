package dev.myelin.syncapi.internal;

/**
 * The facts of one room event that sync keeps in its indexes, read from the event store once when the event is
 * indexed.
 *
 * @param membership  for {@code m.room.member}, {@code content.membership}; else null
 * @param historyVisibility for {@code m.room.history_visibility}, {@code content.history_visibility}; else null
 * @param relType     {@code content.m.relates_to.rel_type} when the event relates to another, else null
 * @param relatesTo   {@code content.m.relates_to.event_id} when the event relates to another, else null
 * @param redacts     for a redaction, the event it redacts, else null
 * @param displayName for {@code m.room.member}, {@code content.displayname}; else null
 * @param avatarUrl   for {@code m.room.member}, {@code content.avatar_url}; else null
 * @param joinRule    for {@code m.room.join_rules}, {@code content.join_rule}; else null
 * @param searchKey   the content field full-text search indexes ({@code content.body}, {@code content.name},
 *                    {@code content.topic}), or null
 * @param searchText  that field's text, or null
 * @param containsUrl whether {@code content.url} is a string (the filters' {@code contains_url})
 */
public record EventFacts(long eventNid, String eventId, String roomId, String type, String stateKey, String sender,
                         String membership, String historyVisibility, boolean containsUrl,
                         String relType, String relatesTo, String redacts, String displayName, String avatarUrl,
                         String joinRule, String searchKey, String searchText) {

    public boolean isState() { return stateKey != null; }

    /** The content field full-text search indexes for an event of {@code type}, or null. */
    public static String searchKeyOf(String type) {
        return switch (type) {
            case "m.room.message" -> "content.body";
            case "m.room.name" -> "content.name";
            case "m.room.topic" -> "content.topic";
            default -> null;
        };
    }
}
