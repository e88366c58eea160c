package dev.myelin.server.cli.protocol;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.auth.AuthResult;
import dev.myelin.protocol.auth.AuthRules;
import dev.myelin.protocol.event.EventIds;
import dev.myelin.protocol.event.Pdu;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.util.ArrayList;
import java.util.HashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code myelin protocol auth}: runs the authorisation rules on one event against the events its {@code auth_events}
 * name. Input {@code {"event": PDU, "auth_events": [PDU…]}}; answer {@code allowed} or {@code rejected: reason}.
 * Event IDs are computed per room version (v1–2: the {@code event_id} field). In room version 12 the room's create
 * event may be given among {@code auth_events}; it is used as the create event, not as an auth event.
 */
@Command(name = "auth", mixinStandardHelpOptions = true,
        description = "Check an event against its auth events: {\"event\": PDU, \"auth_events\": [PDU...]} -> allowed | rejected: reason")
final class AuthCommand extends LineCommand {

    @Option(names = "--room-version", required = true, description = "The room version (1-12).")
    String roomVersion;

    @Override
    String answer(String input) throws CaseFailure {
        try {
            RoomVersion version = RoomVersions.get(roomVersion);
            JsonNode root = ProtocolJson.parse(version, input);
            if (!(root.get("event") instanceof ObjectNode eventJson)) throw new CaseFailure("event must be an object");
            JsonNode authJson = root.get("auth_events");
            if (authJson == null || !authJson.isArray()) throw new CaseFailure("auth_events must be an array");
            Pdu event = Pdu.parse(version, EventIds.eventId(version, eventJson), eventJson);
            var supplied = new HashMap<String, Pdu>();
            for (JsonNode a : authJson) {
                if (!(a instanceof ObjectNode aJson)) throw new CaseFailure("auth_events entries must be objects");
                Pdu p = Pdu.parse(version, EventIds.eventId(version, aJson), aJson);
                supplied.put(p.eventId(), p);
            }
            var authEvents = new ArrayList<Pdu>();
            for (String id : event.authEventIds()) {
                Pdu p = supplied.get(id);
                if (p == null) throw new CaseFailure("auth event " + id + " named by the event was not supplied");
                authEvents.add(p);
            }
            Pdu create = version.roomIdFromCreateEvent() && event.roomId().startsWith("!")
                    ? supplied.get("$" + event.roomId().substring(1)) : null;
            AuthResult result = AuthRules.standard().checkAuthEvents(event, authEvents, create);
            return switch (result) {
                case AuthResult.Allowed allowed -> "allowed";
                case AuthResult.Rejected rejected -> "rejected: " + rejected.reason();
            };
        } catch (ProtocolException | JacksonException e) {
            throw new CaseFailure(e.getMessage());
        }
    }
}
