package dev.myelin.roomserver.api;

import java.util.Optional;

/**
 * What the roomserver needs to know about local users from the userapi: the display name and avatar for their
 * membership events, and whether an account is a guest.
 */
@FunctionalInterface
public interface ProfileLookup {

    /** The user's profile, or empty when they have none or are not local. */
    Optional<Profile> profile(String userId);

    /** Whether {@code userId} is a local guest account. */
    default boolean isGuest(String userId) {
        return false;
    }

    /**
     * Whether {@code userId} is a local user who deactivated with erasure: their events are then served in
     * redacted form (Synapse's erasure), without a redaction event.
     */
    default boolean isErased(String userId) {
        return false;
    }

    /** A display name and avatar URL, each possibly null. */
    record Profile(String displayName, String avatarUrl) {}

    ProfileLookup NONE = userId -> Optional.empty();
}
