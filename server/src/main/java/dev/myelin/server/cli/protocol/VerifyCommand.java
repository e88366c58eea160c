package dev.myelin.server.cli.protocol;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.crypto.EventSigning;
import dev.myelin.protocol.crypto.KeyRing;
import dev.myelin.protocol.crypto.VerifyKey;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code myelin protocol verify}: checks every signature a PDU needs against given public keys. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check every signature a PDU needs (sender's server; the event ID's server in room versions "
                + "1-2; the authorising server of a restricted join). Print 'ok', or fail with the reason.")
final class VerifyCommand extends LineCommand {

    @Option(names = "--room-version", required = true, description = "The room version, 1 to 12.")
    String roomVersion;

    @Option(names = "--keys", required = true,
            description = "JSON file {\"server\": {\"ed25519:id\": \"<unpadded base64 public key>\"}}; keys never expire.")
    Path keysFile;

    private KeyRing keys;

    @Override
    String answer(String input) throws CaseFailure {
        try {
            KeyRing keyRing = keys();
            RoomVersion version = RoomVersions.get(roomVersion);
            EventSigning.verify(version, ProtocolJson.parseObject(version, input), keyRing);
            return "ok";
        } catch (ProtocolException e) {
            throw new CaseFailure(e.getMessage());
        }
    }

    private KeyRing keys() throws CaseFailure {
        if (keys != null) return keys;
        ObjectNode file;
        try {
            file = (ObjectNode) ProtocolJson.parseObject(RoomVersions.DEFAULT, Files.readAllBytes(keysFile));
        } catch (IOException e) {
            throw new CaseFailure("cannot read the keys file " + keysFile + ": " + e.getMessage());
        } catch (ProtocolException e) {
            throw new CaseFailure("keys file " + keysFile + ": " + e.getMessage());
        }
        var byServer = new HashMap<String, Map<String, VerifyKey>>();
        for (Map.Entry<String, JsonNode> server : file.properties()) {
            if (!server.getValue().isObject()) throw new CaseFailure("keys file: " + server.getKey() + " must map key IDs to keys");
            var serverKeys = new HashMap<String, VerifyKey>();
            for (Map.Entry<String, JsonNode> key : server.getValue().properties()) {
                if (!key.getValue().isString()) throw new CaseFailure("keys file: " + server.getKey() + " " + key.getKey() + " must be a string");
                try {
                    serverKeys.put(key.getKey(), VerifyKey.ed25519(key.getValue().stringValue(), VerifyKey.NO_EXPIRY));
                } catch (ProtocolException e) {
                    throw new CaseFailure("keys file: " + server.getKey() + " " + key.getKey() + ": " + e.getMessage());
                }
            }
            byServer.put(server.getKey(), serverKeys);
        }
        keys = KeyRing.of(byServer);
        return keys;
    }
}
