package dev.myelin.userapi.api;

import tools.jackson.databind.node.ArrayNode;

/**
 * One event a user's push rules notified them about ({@code GET /notifications}): the event by ID and NID (the
 * caller renders it), the actions of the rule that matched, when it was evaluated, and whether a receipt has
 * read it since. {@code id} orders notifications and makes the pagination token.
 */
public record Notification(long id, String roomId, String eventId, long eventNid, ArrayNode actions, long ts,
                           boolean read) {}
