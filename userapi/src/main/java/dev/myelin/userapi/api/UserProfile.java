package dev.myelin.userapi.api;

/** A local user as a directory lists them: user ID, display name and avatar URL (each possibly null). */
public record UserProfile(String userId, String displayName, String avatarUrl) {}
