package dev.myelin.roomserver.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * What other components may ask of the roomserver: create rooms, send events, change memberships, manage aliases
 * and the room directory, and read rooms as a given user may see them. Errors are
 * {@link dev.myelin.platform.http.MatrixException}s carrying the spec's error codes; events a user may see are
 * returned in the client-server API's format.
 */
public interface RoomserverApi {

    /** The server this roomserver signs events for. */
    String serverName();

    /** Read access to stored events. */
    EventStore events();

    /** {@code POST /createRoom}: creates a room from the request body; returns the room ID. */
    String createRoom(Sender sender, ObjectNode request);

    /** Sends a message event ({@code stateKey} null) or a state event; returns its event ID. */
    String send(Sender sender, String roomId, String type, String stateKey, ObjectNode content, Optional<String> txnId);

    /** Redacts {@code eventId}; returns the redaction's event ID. */
    String redact(Sender sender, String roomId, String eventId, Optional<String> reason, Optional<String> txnId);

    // ---- membership

    /** Joins a room by ID or alias; returns the room ID. */
    String join(Sender sender, String roomIdOrAlias, Optional<String> reason);

    /** Invites, kicks ({@code "leave"} of another user), bans or unbans {@code target}. */
    void setMembership(Sender sender, String roomId, String target, String membership, Optional<String> reason);

    /** Leaves the room (or rejects an invite, or withdraws a knock). */
    void leave(Sender sender, String roomId, Optional<String> reason);

    /** Knocks on a room by ID or alias; returns the room ID. */
    String knock(Sender sender, String roomIdOrAlias, Optional<String> reason);

    /**
     * Takes a deactivated user out of every room: leaves joined rooms, rejects invites, withdraws knocks. A room
     * that refuses is skipped (and logged), the others still happen.
     */
    void leaveAll(String userId, Optional<String> reason);

    /** Forgets a room the user has left. */
    void forget(Sender sender, String roomId);

    // ---- reads, as {@code userId} may see them

    ObjectNode event(String userId, String roomId, String eventId);

    List<ObjectNode> state(String userId, String roomId);

    /** The content of one state event, or M_NOT_FOUND. */
    ObjectNode stateContent(String userId, String roomId, String type, String stateKey);

    /** The whole state event (client format) for {@code ?format=event}. */
    ObjectNode stateEvent(String userId, String roomId, String type, String stateKey);

    /** The joined members with their display names and avatars. */
    Map<String, ObjectNode> joinedMembers(String userId, String roomId);

    List<String> joinedRooms(String userId);

    // ---- aliases and the directory

    void createAlias(Sender sender, String alias, String roomId);

    /** The room ID and servers of a local alias, or M_NOT_FOUND. */
    String resolveAlias(String alias);

    void deleteAlias(Sender sender, String alias, boolean isAdmin);

    List<String> aliases(String userId, String roomId);

    /** {@code "public"} or {@code "private"}; M_NOT_FOUND for an unknown room. */
    String directoryVisibility(String roomId);

    void setDirectoryVisibility(Sender sender, String roomId, String visibility);

    /** The public rooms list: {@code chunk}, {@code next_batch}, {@code prev_batch}, {@code total_room_count_estimate}. */
    ObjectNode publicRooms(Optional<Integer> limit, Optional<String> since, Optional<String> filter);

    // ---- upgrades, profiles, spaces, reports, time

    /** {@code POST /rooms/{id}/upgrade}: replaces the room by a new one of {@code newVersion}; returns its ID. */
    String upgradeRoom(Sender sender, String roomId, String newVersion, List<String> additionalCreators);

    /** Re-sends the user's join events in every room they are joined to with their current display name and avatar. */
    void profileChanged(String userId);

    /** {@code GET /rooms/{id}/hierarchy} over the rooms this server knows. */
    ObjectNode hierarchy(String userId, String roomId, boolean suggestedOnly, Optional<Integer> maxDepth,
                         Optional<Integer> limit, Optional<String> from);

    /** {@code GET /rooms/{id}/timestamp_to_event}: the event closest to {@code ts} the user may see. */
    ObjectNode timestampToEvent(String userId, String roomId, long ts, boolean forwards);

    /** Records a report of an event ({@code eventId} set), a room, or a user ({@code roomId} null). */
    void report(Sender sender, String roomId, String eventId, String userId, Optional<String> reason, Optional<Long> score);

    // ---- for other components (sync, federation): no user's view applied

    /** The room's current state events, or M_NOT_FOUND for an unknown room. */
    List<StoredEvent> currentState(String roomId);

    /** The state before {@code eventId} (not including it), or M_NOT_FOUND for an unknown event. */
    List<StoredEvent> stateBefore(String eventId);

    /** Which of {@code eventIds} (all of one room) {@code userId} may see under history visibility, in the given order. */
    List<String> visibleTo(String userId, List<String> eventIds);
}
