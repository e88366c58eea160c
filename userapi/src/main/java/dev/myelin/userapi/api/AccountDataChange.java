package dev.myelin.userapi.api;

import tools.jackson.databind.node.ObjectNode;

/**
 * One account data entry as of its latest write, for sync: global when {@code roomId} is empty.
 *
 * @param position the account data position of that write ({@link UserApi#accountDataPosition()})
 */
public record AccountDataChange(String roomId, String type, ObjectNode content, long position) {}
