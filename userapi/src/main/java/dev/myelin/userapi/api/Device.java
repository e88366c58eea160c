package dev.myelin.userapi.api;

import java.util.Optional;

/** One of a user's devices, as {@code GET /devices} shows it. */
public record Device(String userId, String deviceId, Optional<String> displayName, Optional<String> lastSeenIp,
        Optional<Long> lastSeenTs) {}
