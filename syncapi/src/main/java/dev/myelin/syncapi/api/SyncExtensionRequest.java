package dev.myelin.syncapi.api;

import java.util.Set;

/**
 * What a {@link SyncExtension} is asked to fill: who syncs, the extension's own window of positions, and the
 * room membership facts of this response that device-list tracking needs.
 *
 * @param userId          the syncing user
 * @param deviceId        the syncing device
 * @param since           the extension's position from the since token (0 for an initial sync)
 * @param upTo            the extension's position this response reaches (at most {@link SyncExtension#currentPosition()}
 *                        read when the response started); the next since token carries it
 * @param initial         true when there is no since token (or {@code full_state} asked for everything)
 * @param joinedRoomIds   rooms the user is joined to as of this response
 * @param newlyJoinedRoomIds rooms the user joined since the previous response (every joined room on an initial sync)
 * @param newlyLeftRoomIds   rooms the user left (or was removed from) since the previous response
 * @param rooms           membership queries for deciding whose device lists matter to this user
 */
public record SyncExtensionRequest(String userId, String deviceId, long since, long upTo, boolean initial,
                                   Set<String> joinedRoomIds, Set<String> newlyJoinedRoomIds,
                                   Set<String> newlyLeftRoomIds, SyncMemberships rooms) {

    public SyncExtensionRequest {
        joinedRoomIds = Set.copyOf(joinedRoomIds);
        newlyJoinedRoomIds = Set.copyOf(newlyJoinedRoomIds);
        newlyLeftRoomIds = Set.copyOf(newlyLeftRoomIds);
    }
}
