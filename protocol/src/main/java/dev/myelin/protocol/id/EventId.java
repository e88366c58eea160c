package dev.myelin.protocol.id;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.room.RoomVersion;
import java.util.Optional;

/**
 * An event ID (appendices, "Event IDs" and the room versions): {@code $opaque:domain} in room versions 1–2,
 * {@code $} and 43 characters of standard unpadded base64 in v3, of URL-safe unpadded base64 from v4. At most 255
 * bytes.
 *
 * @param value the event ID as written
 */
public record EventId(String value) {

    private static final String KIND = "event ID";

    public EventId {
        IdGrammar.checkSigil(KIND, value, '$');
        IdGrammar.checkLength(KIND, value);
        int colon = value.indexOf(':');
        if (colon >= 0) {
            IdGrammar.checkOpaqueLocalpart(KIND, value, 1, colon);
            IdGrammar.domain(KIND, value, colon);
        } else if (!IdGrammar.isBase64(value, 1, RoomId.HASH_LENGTH, true)
                && !IdGrammar.isBase64(value, 1, RoomId.HASH_LENGTH, false)) {
            throw new ProtocolException("event ID '" + value + "' is neither $id:server nor a base64 reference hash");
        }
    }

    /** Parses an event ID of any room version's form. */
    public static EventId parse(String id) {
        return new EventId(id);
    }

    /** Parses an event ID of the form {@code version} uses. */
    public static EventId parse(RoomVersion version, String id) {
        EventId event = new EventId(id);
        boolean ok = switch (version.eventIdFormat()) {
            case SERVER_ASSIGNED -> id.indexOf(':') >= 0;
            case REFERENCE_HASH_BASE64 -> IdGrammar.isBase64(id, 1, RoomId.HASH_LENGTH, false);
            case REFERENCE_HASH_URL_SAFE -> IdGrammar.isBase64(id, 1, RoomId.HASH_LENGTH, true);
        };
        if (!ok) throw new ProtocolException("event ID '" + id + "' is not of the form room version " + version.id() + " uses");
        return event;
    }

    /** The server name of a v1–2 event ID; empty for hash-based IDs. */
    public Optional<ServerName> server() {
        int colon = value.indexOf(':');
        return colon < 0 ? Optional.empty() : Optional.of(new ServerName(value.substring(colon + 1)));
    }

    @Override
    public String toString() {
        return value;
    }
}
