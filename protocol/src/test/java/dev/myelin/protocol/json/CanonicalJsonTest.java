package dev.myelin.protocol.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The spec's canonical JSON examples and the corner cases python-canonicaljson defines. */
class CanonicalJsonTest {

    private static String canonical(String json) {
        return CanonicalJson.encodeToString(ProtocolJson.parseLenient(json));
    }

    @Test
    void encodesTheSpecExamples() {
        assertThat(canonical("{}")).isEqualTo("{}");
        assertThat(canonical("{\n    \"one\": 1,\n    \"two\": \"Two\"\n}")).isEqualTo("{\"one\":1,\"two\":\"Two\"}");
        assertThat(canonical("{\"b\": \"2\", \"a\": \"1\"}")).isEqualTo("{\"a\":\"1\",\"b\":\"2\"}");
        assertThat(canonical("{\"b\":\"2\",\"a\":\"1\"}")).isEqualTo("{\"a\":\"1\",\"b\":\"2\"}");
        assertThat(canonical("""
                {"auth": {"success": true, "mxid": "@john.doe:example.com",
                  "profile": {"display_name": "John Doe", "three_pids": [
                    {"medium": "email", "address": "john.doe@example.org"},
                    {"medium": "msisdn", "address": "123456789"}]}}}"""))
                .isEqualTo("{\"auth\":{\"mxid\":\"@john.doe:example.com\",\"profile\":{\"display_name\":\"John Doe\","
                        + "\"three_pids\":[{\"address\":\"john.doe@example.org\",\"medium\":\"email\"},"
                        + "{\"address\":\"123456789\",\"medium\":\"msisdn\"}]},\"success\":true}}");
        assertThat(canonical("{\"a\": \"日本語\"}")).isEqualTo("{\"a\":\"日本語\"}");
        assertThat(canonical("{\"本\": 2, \"日\": 1}")).isEqualTo("{\"日\":1,\"本\":2}");
        assertThat(canonical("{\"a\": \"\\u65E5\"}")).isEqualTo("{\"a\":\"日\"}");
        assertThat(canonical("{\"a\": null}")).isEqualTo("{\"a\":null}");
        assertThat(canonical("{\"a\": -0}")).isEqualTo("{\"a\":0}");
    }

    @Test
    void writesUtf8Bytes() {
        byte[] bytes = CanonicalJson.encode(ProtocolJson.parseStrict("{\"a\":\"é😀\"}"));
        assertThat(bytes).isEqualTo("{\"a\":\"é😀\"}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void sortsKeysByCodePointNotUtf16Unit() {
        // U+1F600 is a surrogate pair in UTF-16 (0xD83D…), which String.compareTo puts before U+FFFF and U+E000
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("\uD83D\uDE00", 1);
        o.put("\uFFFF", 2);
        o.put("\uE000", 3);
        o.put("z", 4);
        o.put("", 5);
        assertThat(CanonicalJson.encodeToString(o)).isEqualTo("{\"\":5,\"z\":4,\"\uE000\":3,\"\uFFFF\":2,\"\uD83D\uDE00\":1}");
        List<String> keys = new ArrayList<>(List.of("\uD83D\uDE00", "\uFFFF", "a", "ab", "\uE000", "\uD7FF"));
        keys.sort(CanonicalJson.CODE_POINT_ORDER);
        assertThat(keys).containsExactly("a", "ab", "\uD7FF", "\uE000", "\uFFFF", "\uD83D\uDE00");
    }

    @Test
    void escapesOnlyWhatPythonEscapes() {
        var o = JsonNodeFactory.instance.objectNode();
        o.put("s", "\"\\\b\f\n\r\t\u0000\u0001\u001f\u007f\u2028\u2029/<>&\uFEFF");
        assertThat(CanonicalJson.encodeToString(o))
                .isEqualTo("{\"s\":\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\u007f\u2028\u2029/<>&\uFEFF\"}");
    }

    @Test
    void writesIntegersPlainlyWhateverTheirSize() {
        assertThat(canonical("[9007199254740991,-9007199254740991,9007199254740992,123456789012345678901234567890,-0]"))
                .isEqualTo("[9007199254740991,-9007199254740991,9007199254740992,123456789012345678901234567890,0]");
    }

    @ParameterizedTest
    @CsvSource({
        "1.0, 1.0", "-0.0, -0.0", "0.0, 0.0", "1.5, 1.5", "1e10, 10000000000.0", "1e15, 1000000000000000.0",
        "1e16, 1e+16", "1.5e16, 1.5e+16", "0.0001, 0.0001", "0.00001, 1e-05", "1.25e-7, 1.25e-07",
        "1e100, 1e+100", "123.456, 123.456", "0.1, 0.1", "5e-324, 5e-324", "1.7976931348623157e308, 1.7976931348623157e+308",
        "-2.5e-5, -2.5e-05", "12345678901234567.0, 1.2345678901234568e+16"
    })
    void writesFloatsAsPythonRepr(String input, String expected) {
        assertThat(canonical("[" + input + "]")).isEqualTo("[" + expected + "]");
    }

    @Test
    void refusesWhatCannotBeEncoded() {
        var o = JsonNodeFactory.instance.objectNode();
        o.put("s", "\uD800");
        assertThatThrownBy(() -> CanonicalJson.encode(o)).isInstanceOf(ProtocolException.class).hasMessageContaining("surrogate");
        var n = JsonNodeFactory.instance.objectNode();
        n.put("n", Double.NaN);
        assertThatThrownBy(() -> CanonicalJson.encode(n)).isInstanceOf(ProtocolException.class);
        var k = JsonNodeFactory.instance.objectNode();
        k.put("\uDC00x", 1);
        assertThatThrownBy(() -> CanonicalJson.encode(k)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void refusesTreesNestedTooDeeply() {
        var root = JsonNodeFactory.instance.arrayNode();
        var node = root;
        for (int i = 1; i < CanonicalJson.MAX_DEPTH; i++) node = node.addArray();
        assertThat(CanonicalJson.encode(root)).hasSize(2 * CanonicalJson.MAX_DEPTH);
        node.addArray();
        assertThatThrownBy(() -> CanonicalJson.encode(root)).isInstanceOf(ProtocolException.class).hasMessageContaining("nested");
        var deep = JsonNodeFactory.instance.objectNode();
        var o = deep;
        for (int i = 0; i < 100_000; i++) o = o.putObject("a");
        assertThatThrownBy(() -> CanonicalJson.encode(deep)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void leavesOutSkippedTopLevelKeysOnly() {
        var o = (ObjectNode) ProtocolJson.parseStrict("{\"b\":1,\"signatures\":{},\"a\":{\"signatures\":1},\"unsigned\":2}");
        assertThat(new String(CanonicalJson.encodeWithout(o, "signatures", "unsigned"), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":{\"signatures\":1},\"b\":1}");
    }
}
