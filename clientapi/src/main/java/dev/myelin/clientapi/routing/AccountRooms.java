package dev.myelin.clientapi.routing;

import dev.myelin.roomserver.api.RoomserverApi;
import java.util.Optional;

/**
 * What account changes do to the user's rooms, wired by the server to the roomserver: a profile change re-sends
 * the user's membership events, a deactivation takes the user out of every room.
 */
public interface AccountRooms {

    /** The user's display name or avatar changed. */
    void profileChanged(String userId);

    /** The user was deactivated: leave every joined room, reject invites, withdraw knocks. */
    void deactivated(String userId);

    /** For a client API without rooms (tests of accounts alone). */
    AccountRooms NONE = new AccountRooms() {
        @Override public void profileChanged(String userId) { }

        @Override public void deactivated(String userId) { }
    };

    /** The roomserver's answers to both. */
    static AccountRooms of(RoomserverApi rooms) {
        return new AccountRooms() {
            @Override public void profileChanged(String userId) { rooms.profileChanged(userId); }

            @Override public void deactivated(String userId) { rooms.leaveAll(userId, Optional.empty()); }
        };
    }
}
