package dev.myelin.userapi.api;

import java.util.Optional;

/**
 * A local account. {@code userType} is what shared-secret registration was given (Synapse's {@code user_type},
 * e.g. {@code support} or {@code bot}); {@code erased} is true once the user deactivated with {@code erase}.
 */
public record Account(String userId, String localpart, long createdTs, boolean isGuest, boolean isAdmin,
        boolean deactivated, Optional<String> userType, boolean erased) {}
