package dev.myelin.server.cli.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.protocol.crypto.EventSigning;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.crypto.UnpaddedBase64;
import dev.myelin.protocol.event.EventIds;
import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.json.ProtocolJson;
import dev.myelin.protocol.room.RoomVersions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.node.ObjectNode;

/** The six protocol subcommands, run in process through picocli with standard input and output swapped. */
class ProtocolCommandsTest {

    private static final String SEED = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1";
    private static final SigningKey KEY = SigningKey.of("1", UnpaddedBase64.decode(SEED));
    private static final String MINIMAL_EVENT = "{\"room_id\":\"!x:domain\",\"sender\":\"@a:domain\",\"origin\":\"domain\","
            + "\"origin_server_ts\":1000000,\"signatures\":{},\"hashes\":{},\"type\":\"X\",\"content\":{},"
            + "\"prev_events\":[],\"auth_events\":[],\"depth\":3,\"unsigned\":{\"age_ts\":1000000}}";

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    private static synchronized Result run(String stdin, String... args) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var usage = new StringWriter();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new ProtocolCommand()).setErr(new PrintWriter(usage, true)).execute(args);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + usage);
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Path keyFile() throws Exception {
        Path file = dir.resolve("signing.key");
        Files.writeString(file, KEY.format());
        return file;
    }

    private Path keysJson(String server) throws Exception {
        Path file = dir.resolve("keys.json");
        Files.writeString(file, "{\"" + server + "\":{\"ed25519:1\":\"" + KEY.publicKeyBase64() + "\"}}");
        return file;
    }

    @Test
    void canonicalJsonPrintsTheCanonicalForm() {
        Result r = run("{ \"b\": 1, \"a\": [true, null, \"日\"] }\n", "canonical-json");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("{\"a\":[true,null,\"日\"],\"b\":1}\n");
    }

    @Test
    void canonicalJsonFailsWithAReasonOnBadInput() {
        Result r = run("{\"a\":", "canonical-json");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("invalid JSON");
        assertThat(run("[1.5]", "canonical-json", "--strict").exit()).isEqualTo(1);
        assertThat(run("[1.5]", "canonical-json").out()).isEqualTo("[1.5]\n");
    }

    @Test
    void linesModeAnswersEachLine() {
        Result r = run("{\"b\":1,\"a\":2}\nnot json\n\n[3]\n", "canonical-json", "--lines");
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().toList()).hasSize(3);
        assertThat(r.out().lines().toList().get(0)).isEqualTo("{\"a\":2,\"b\":1}");
        assertThat(r.out().lines().toList().get(1)).startsWith("error: invalid JSON");
        assertThat(r.out().lines().toList().get(2)).isEqualTo("[3]");
    }

    @Test
    void eventIdComputesTheReferenceHashId() {
        ObjectNode event = (ObjectNode) ProtocolJson.parseStrict(MINIMAL_EVENT);
        Result r = run(MINIMAL_EVENT, "event-id", "--room-version", "10");
        assertThat(r.exit()).isZero();
        assertThat(r.out().strip()).isEqualTo(EventIds.eventId(RoomVersions.V10, event)).startsWith("$").hasSize(44);
        assertThat(run("{\"event_id\":\"$e:domain\"}", "event-id", "--room-version", "1").out()).isEqualTo("$e:domain\n");
        Result unknown = run(MINIMAL_EVENT, "event-id", "--room-version", "99");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("unsupported room version");
        assertThat(run(MINIMAL_EVENT, "event-id").exit()).as("--room-version is required").isEqualTo(2);
    }

    @Test
    void contentHashMatchesTheSpecExampleAndChecks() {
        Result r = run(MINIMAL_EVENT, "content-hash", "--room-version", "1");
        assertThat(r.out()).isEqualTo("5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos\n");
        String hashed = MINIMAL_EVENT.replace("\"hashes\":{}", "\"hashes\":{\"sha256\":\"5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos\"}");
        assertThat(run(hashed, "content-hash", "--room-version", "1", "--check").out()).isEqualTo("ok\n");
        Result bad = run(hashed.replace("\"depth\":3", "\"depth\":4"), "content-hash", "--room-version", "1", "--check");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("content hash mismatch");
        Result missing = run(MINIMAL_EVENT, "content-hash", "--room-version", "1", "--check");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("hashes.sha256");
    }

    @Test
    void redactPrintsTheRedactedEvent() {
        String member = "{\"type\":\"m.room.member\",\"origin\":\"x\",\"content\":{\"membership\":\"join\",\"displayname\":\"d\"},\"unsigned\":{}}";
        assertThat(run(member, "redact", "--room-version", "10").out())
                .isEqualTo("{\"content\":{\"membership\":\"join\"},\"origin\":\"x\",\"type\":\"m.room.member\"}\n");
        assertThat(run(member, "redact", "--room-version", "11").out())
                .isEqualTo("{\"content\":{\"membership\":\"join\"},\"type\":\"m.room.member\"}\n");
    }

    @Test
    void signAddsTheSpecSignature() throws Exception {
        Result r = run("{\"one\":1,\"two\":\"Two\"}", "sign", "--key", keyFile().toString(), "--server", "domain");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("{\"one\":1,\"signatures\":{\"domain\":{\"ed25519:1\":"
                + "\"KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw\"}},\"two\":\"Two\"}\n");
        Result event = run(MINIMAL_EVENT, "sign", "--key", keyFile().toString(), "--server", "domain", "--room-version", "1");
        assertThat(event.out()).contains("\"ed25519:1\":\"KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg\"");
        assertThat(run("[1]", "sign", "--key", keyFile().toString(), "--server", "domain").err()).contains("only a JSON object");
        Result noKey = run("{}", "sign", "--key", dir.resolve("missing").toString(), "--server", "domain");
        assertThat(noKey.exit()).isEqualTo(1);
        assertThat(noKey.err()).contains("cannot read the key file");
    }

    @Test
    void verifyAcceptsGoodSignaturesAndNamesTheFailingServer() throws Exception {
        ObjectNode event = (ObjectNode) ProtocolJson.parseStrict(MINIMAL_EVENT);
        ObjectNode signed = EventSigning.hashAndSign(RoomVersions.V10, event, "domain", KEY);
        String keys = keysJson("domain").toString();
        Result ok = run(CanonicalJson.encodeToString(signed), "verify", "--room-version", "10", "--keys", keys);
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).isEqualTo("ok\n");
        signed.put("depth", 4);
        Result forged = run(CanonicalJson.encodeToString(signed), "verify", "--room-version", "10", "--keys", keys);
        assertThat(forged.exit()).isEqualTo(1);
        assertThat(forged.err()).contains("bad signature by domain ed25519:1");
        ObjectNode join = (ObjectNode) ProtocolJson.parseStrict(MINIMAL_EVENT);
        join.put("type", "m.room.member");
        join.put("state_key", "@a:domain");
        ((ObjectNode) join.get("content")).put("membership", "join").put("join_authorised_via_users_server", "@r:resident");
        Result unsignedByResident = run(CanonicalJson.encodeToString(EventSigning.hashAndSign(RoomVersions.V10, join, "domain", KEY)),
                "verify", "--room-version", "10", "--keys", keys);
        assertThat(unsignedByResident.exit()).isEqualTo(1);
        assertThat(unsignedByResident.err()).contains("not signed by resident");
    }
}
