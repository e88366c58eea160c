package dev.myelin.userapi.api;

/** A local account. */
public record Account(String userId, String localpart, long createdTs, boolean isGuest, boolean isAdmin,
        boolean deactivated) {}
