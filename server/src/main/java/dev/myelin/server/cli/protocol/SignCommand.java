package dev.myelin.server.cli.protocol;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.crypto.EventSigning;
import dev.myelin.protocol.crypto.SignedJson;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ObjectNode;

/** {@code myelin protocol sign}: the input JSON with this server's signature added. */
@Command(name = "sign", mixinStandardHelpOptions = true,
        description = "Sign a JSON object (the spec's 'Signing JSON') and print it with the signature added, in "
                + "canonical JSON. With --room-version, sign it as an event: set hashes.sha256, sign the redacted form.")
final class SignCommand extends LineCommand {

    @Option(names = "--key", required = true, description = "Signing key file in Synapse's format: 'ed25519 <version> <seed>'.")
    Path keyFile;

    @Option(names = "--server", required = true, description = "The server name to sign as.")
    String server;

    @Option(names = "--room-version", description = "Sign the input as an event of this room version.")
    String roomVersion;

    private SigningKey key;

    @Override
    String answer(String input) throws CaseFailure {
        try {
            SigningKey signingKey = key();
            if (roomVersion == null) {
                // why: like python-signedjson, sign whatever JSON object is given (floats included)
                if (!(ProtocolJson.parseLenient(input) instanceof ObjectNode object)) {
                    throw new CaseFailure("only a JSON object can be signed");
                }
                return CanonicalJson.encodeToString(SignedJson.sign(object, server, signingKey));
            }
            RoomVersion version = RoomVersions.get(roomVersion);
            ObjectNode event = ProtocolJson.parseObject(version, input);
            return CanonicalJson.encodeToString(EventSigning.hashAndSign(version, event, server, signingKey));
        } catch (ProtocolException e) {
            throw new CaseFailure(e.getMessage());
        }
    }

    private SigningKey key() throws CaseFailure {
        if (key == null) {
            try {
                key = SigningKey.parse(Files.readString(keyFile));
            } catch (IOException e) {
                throw new CaseFailure("cannot read the key file " + keyFile + ": " + e.getMessage());
            }
        }
        return key;
    }
}
