package dev.myelin.server.cli.protocol;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.crypto.UnpaddedBase64;
import dev.myelin.protocol.event.EventHashes;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.security.MessageDigest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ObjectNode;

/** {@code myelin protocol content-hash}: the content hash of a PDU, or a check of its {@code hashes.sha256}. */
@Command(name = "content-hash", mixinStandardHelpOptions = true,
        description = "Print the content hash of a PDU (unpadded base64 SHA-256), or with --check compare it with hashes.sha256.")
final class ContentHashCommand extends LineCommand {

    @Option(names = "--room-version", required = true, description = "The room version, 1 to 12.")
    String roomVersion;

    @Option(names = "--check", description = "Print 'ok' if hashes.sha256 matches the content hash, else fail with the reason.")
    boolean check;

    @Override
    String answer(String input) throws CaseFailure {
        try {
            RoomVersion version = RoomVersions.get(roomVersion);
            ObjectNode event = ProtocolJson.parseObject(version, input);
            byte[] actual = EventHashes.contentHash(event);
            if (!check) return UnpaddedBase64.encode(actual);
            byte[] claimed = EventHashes.claimedContentHash(event);
            if (!MessageDigest.isEqual(claimed, actual)) {
                throw new CaseFailure("content hash mismatch: hashes.sha256 is " + UnpaddedBase64.encode(claimed)
                        + " but the content hashes to " + UnpaddedBase64.encode(actual));
            }
            return "ok";
        } catch (ProtocolException e) {
            throw new CaseFailure(e.getMessage());
        }
    }
}
