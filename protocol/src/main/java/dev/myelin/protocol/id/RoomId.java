package dev.myelin.protocol.id;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.room.RoomVersion;
import java.util.Optional;

/**
 * A room ID (appendices, "Room IDs"): {@code !opaque:domain} before room version 12, or from v12 {@code !} and the
 * create event's reference hash (43 characters of URL-safe unpadded base64, no domain). At most 255 bytes.
 *
 * @param value the room ID as written
 */
public record RoomId(String value) {

    private static final String KIND = "room ID";
    /** The length of an unpadded base64 SHA-256 hash. */
    static final int HASH_LENGTH = 43;

    public RoomId {
        IdGrammar.checkSigil(KIND, value, '!');
        IdGrammar.checkLength(KIND, value);
        int colon = value.indexOf(':');
        if (colon >= 0) {
            IdGrammar.checkOpaqueLocalpart(KIND, value, 1, colon);
            IdGrammar.domain(KIND, value, colon);
        } else if (!IdGrammar.isBase64(value, 1, HASH_LENGTH, true)) {
            throw new ProtocolException("room ID '" + value + "' has neither a server name nor the form of a v12 room ID");
        }
    }

    /** Parses a room ID of either form. */
    public static RoomId parse(String id) {
        return new RoomId(id);
    }

    /** Parses a room ID of the form {@code version} uses. */
    public static RoomId parse(RoomVersion version, String id) {
        RoomId room = new RoomId(id);
        if (version.roomIdFromCreateEvent() != room.isHashForm()) {
            throw new ProtocolException("room ID '" + id + "' is not of the form room version " + version.id() + " uses");
        }
        return room;
    }

    /** Whether this is a v12 room ID (the create event's hash, no server name). */
    public boolean isHashForm() {
        return value.indexOf(':') < 0;
    }

    /** The server name of a pre-v12 room ID; empty for v12 room IDs. */
    public Optional<ServerName> server() {
        int colon = value.indexOf(':');
        return colon < 0 ? Optional.empty() : Optional.of(new ServerName(value.substring(colon + 1)));
    }

    /** For a v12 room ID, the ID of the create event it was made from. */
    public EventId createEventId() {
        if (!isHashForm()) throw new ProtocolException("room ID '" + value + "' is not derived from its create event");
        return new EventId("$" + value.substring(1));
    }

    @Override
    public String toString() {
        return value;
    }
}
