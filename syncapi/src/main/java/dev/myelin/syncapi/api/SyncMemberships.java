package dev.myelin.syncapi.api;

import java.util.Set;

/**
 * Membership questions answered from syncapi's own index (current state of every room this server knows), for
 * other components that decide what a user must hear about (E2EE device lists, presence).
 */
public interface SyncMemberships {

    /** Users currently joined to {@code roomId}. */
    Set<String> joinedUsers(String roomId);

    /** Rooms {@code userId} is currently joined to. */
    Set<String> joinedRooms(String userId);

    /** Whether the two users are both joined to at least one room. */
    boolean shareARoom(String userA, String userB);
}
