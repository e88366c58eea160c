package dev.myelin.syncapi.api;

/**
 * A message of the ephemeral {@code OutputPresenceEvent} stream: a local user's presence changed (set by a client or
 * by a timeout) and was stored at presence position {@code pos}. Every syncapi instance listens to wake the long
 * polls of the users who share a room with {@code userId}; federation will send it on as an {@code m.presence} EDU.
 *
 * @param presence       {@code online}, {@code unavailable} or {@code offline}
 * @param statusMsg      the status message, or null
 * @param lastActiveTs   when the user was last active (milliseconds since the epoch)
 * @param currentlyActive the {@code currently_active} of the state
 */
public record OutputPresenceEvent(String userId, String presence, String statusMsg, long lastActiveTs,
                                  boolean currentlyActive, long pos) {

    /** The stream's name. */
    public static final String STREAM = "OutputPresenceEvent";
}
