package dev.myelin.server.cli.protocol;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.event.EventIds;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code myelin protocol event-id}: the event ID of a PDU in federation format. */
@Command(name = "event-id", mixinStandardHelpOptions = true,
        description = "Print the event ID of a PDU: its event_id in room versions 1-2, else $ + its reference hash.")
final class EventIdCommand extends LineCommand {

    @Option(names = "--room-version", required = true, description = "The room version, 1 to 12.")
    String roomVersion;

    @Override
    String answer(String input) throws CaseFailure {
        try {
            RoomVersion version = RoomVersions.get(roomVersion);
            return EventIds.eventId(version, ProtocolJson.parseObject(version, input));
        } catch (ProtocolException e) {
            throw new CaseFailure(e.getMessage());
        }
    }
}
