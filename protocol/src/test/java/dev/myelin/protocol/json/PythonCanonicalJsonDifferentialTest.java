package dev.myelin.protocol.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.protocol.PythonOracle;
import dev.myelin.protocol.crypto.SignedJson;
import dev.myelin.protocol.crypto.SigningKey;
import dev.myelin.protocol.crypto.UnpaddedBase64;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Compares our canonical JSON and JSON signatures with python-canonicaljson and python-signedjson, byte for byte. */
class PythonCanonicalJsonDifferentialTest {

    // why: ASCII-only lines, so that no character (U+2028, raw controls) can split a line on either side
    private static final JsonMapper ASCII = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    @BeforeAll
    static void needsPython() {
        PythonOracle.assumeAvailable();
    }

    @Test
    void canonicalJsonMatchesPythonForRandomValues() throws Exception {
        var random = new Random(20261122);
        List<JsonNode> values = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            boolean floats = i % 3 == 0;
            values.add(i % 2 == 0 ? new RandomJson(random, floats).object(4) : new RandomJson(random, floats).value(4));
        }
        List<String> lines = values.stream().map(ASCII::writeValueAsString).toList();
        List<String> python = PythonOracle.run("canonical", lines);
        for (int i = 0; i < values.size(); i++) {
            String ours = Base64.getEncoder().withoutPadding().encodeToString(CanonicalJson.encode(values.get(i)));
            String reparsed = Base64.getEncoder().withoutPadding()
                    .encodeToString(CanonicalJson.encode(ProtocolJson.parseLenient(lines.get(i))));
            assertThat(ours).as("case %d: %s", i, lines.get(i)).isEqualTo(python.get(i));
            assertThat(reparsed).as("case %d reparsed: %s", i, lines.get(i)).isEqualTo(python.get(i));
        }
    }

    @Test
    void signaturesMatchSignedJson() throws Exception {
        var random = new Random(8032);
        SigningKey key = SigningKey.of("1", UnpaddedBase64.decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"));
        List<ObjectNode> values = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ObjectNode o = new RandomJson(random, false).object(3);
            if (i % 4 == 0) o.putObject("unsigned").put("age", i);
            if (i % 5 == 0) o.putObject("signatures").putObject("other.org").put("ed25519:x", "c2lnbmF0dXJl");
            values.add(o);
        }
        List<String> python = PythonOracle.run("sign", values.stream().map(ASCII::writeValueAsString).toList());
        for (int i = 0; i < values.size(); i++) {
            ObjectNode signed = SignedJson.sign(values.get(i), "domain", key);
            String ours = Base64.getEncoder().withoutPadding().encodeToString(CanonicalJson.encode(signed));
            assertThat(ours).as("case %d", i).isEqualTo(python.get(i));
        }
    }
}
