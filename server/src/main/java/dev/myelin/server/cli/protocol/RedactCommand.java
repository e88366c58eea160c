package dev.myelin.server.cli.protocol;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.event.Redaction;
import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code myelin protocol redact}: a PDU as the room version's redaction algorithm leaves it. */
@Command(name = "redact", mixinStandardHelpOptions = true,
        description = "Print the redacted form of a PDU, in canonical JSON.")
final class RedactCommand extends LineCommand {

    @Option(names = "--room-version", required = true, description = "The room version, 1 to 12.")
    String roomVersion;

    @Override
    String answer(String input) throws CaseFailure {
        try {
            RoomVersion version = RoomVersions.get(roomVersion);
            return CanonicalJson.encodeToString(Redaction.redactedView(version, ProtocolJson.parseObject(version, input)));
        } catch (ProtocolException e) {
            throw new CaseFailure(e.getMessage());
        }
    }
}
