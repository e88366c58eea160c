package dev.myelin.userapi.api;

/** Who made a request: the account and device an access token belongs to. */
public record Requester(String userId, String localpart, String deviceId, boolean isGuest, boolean isAdmin) {}
