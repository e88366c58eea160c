package dev.myelin.protocol.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.protocol.PythonOracle;
import dev.myelin.protocol.crypto.EventSigning;
import dev.myelin.protocol.crypto.KeyRing;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.crypto.UnpaddedBase64;
import dev.myelin.protocol.crypto.VerifyKey;
import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.room.RoomVersion;
import dev.myelin.protocol.room.RoomVersions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Event IDs, content hashes and redactions of random events in every room version, against an independent Python
 * implementation (python_oracle.py: its own redaction, python-canonicaljson, hashlib).
 */
class PythonEventDifferentialTest {

    private static final JsonMapper ASCII = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    @BeforeAll
    static void needsPython() {
        PythonOracle.assumeAvailable();
    }

    @Test
    void signedEventsMatchPythonSignedJsonAndVerify() throws Exception {
        var random = new Random(5555);
        var events = new RandomEvents(random);
        SigningKey key = SigningKey.of("1", UnpaddedBase64.decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"));
        KeyRing keys = KeyRing.of(Map.of("example.org", Map.of("ed25519:1", VerifyKey.of(key))));
        List<RoomVersion> versions = new ArrayList<>();
        List<ObjectNode> cases = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            RoomVersion version = RoomVersions.all().get(i % RoomVersions.all().size());
            ObjectNode event = events.event(version);
            event.remove("signatures"); // why: a random non-object would make both sides refuse to sign
            event.put("sender", "@u:example.org");
            // why: a random authorising user would be another server whose signature neither side adds
            ((ObjectNode) event.get("content")).remove("join_authorised_via_users_server");
            if (version.eventFormat() == dev.myelin.protocol.room.RoomVersion.EventFormat.V1) {
                event.put("event_id", "$" + i + ":example.org");
            }
            ObjectNode line = JsonNodeFactory.instance.objectNode();
            line.put("version", version.id());
            line.set("event", event);
            versions.add(version);
            cases.add(event);
            lines.add(ASCII.writeValueAsString(line));
        }
        List<String> python = PythonOracle.run("sign_event", lines);
        for (int i = 0; i < cases.size(); i++) {
            RoomVersion version = versions.get(i);
            ObjectNode signed = EventSigning.hashAndSign(version, cases.get(i), "example.org", key);
            assertThat(Base64.getEncoder().withoutPadding().encodeToString(CanonicalJson.encode(signed)))
                    .as("v%s case %d: %s", version.id(), i, lines.get(i)).isEqualTo(python.get(i));
            ObjectNode fromPython = (ObjectNode) dev.myelin.protocol.json.ProtocolJson.parse(version,
                    Base64.getDecoder().decode(python.get(i)));
            EventSigning.verify(version, fromPython, keys);
        }
    }

    @Test
    void eventIdsContentHashesAndRedactionsMatch() throws Exception {
        var random = new Random(4242);
        var events = new RandomEvents(random);
        List<RoomVersion> versions = new ArrayList<>();
        List<ObjectNode> cases = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2400; i++) {
            RoomVersion version = RoomVersions.all().get(i % RoomVersions.all().size());
            ObjectNode event = events.event(version);
            ObjectNode line = JsonNodeFactory.instance.objectNode();
            line.put("version", version.id());
            line.set("event", event);
            versions.add(version);
            cases.add(event);
            lines.add(ASCII.writeValueAsString(line));
        }
        List<String> python = PythonOracle.run("event", lines);
        for (int i = 0; i < cases.size(); i++) {
            RoomVersion version = versions.get(i);
            ObjectNode event = cases.get(i);
            String ours = EventIds.eventId(version, event) + " " + EventHashes.contentHashBase64(event) + " "
                    + Base64.getEncoder().withoutPadding().encodeToString(CanonicalJson.encode(Redaction.redact(version, event)));
            assertThat(ours).as("v%s case %d: %s", version.id(), i, lines.get(i)).isEqualTo(python.get(i));
        }
    }
}
