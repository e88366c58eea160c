package dev.myelin.protocol.json;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.room.RoomVersion;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Parses JSON the protocol signs and hashes. The strict parser is the spec's Canonical JSON rules for room
 * versions 6 and later: integers only, within ±(2^53−1), no floats or exponents, no duplicate keys. The lenient
 * parser is for room versions 1–5 ("servers MUST NOT strictly enforce" there): any number, and a duplicate key
 * keeps its last value as Python's {@code json} does. Both reject invalid JSON, trailing data, NaN, unpaired
 * surrogates, and nesting deeper than {@link CanonicalJson#MAX_DEPTH}; every failure is a {@link ProtocolException}.
 */
public final class ProtocolJson {

    /** The largest integer the strict rules allow (2^53−1); the smallest is its negation. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private static final JsonMapper STRICT = mapper(true);
    private static final JsonMapper LENIENT = mapper(false);

    private ProtocolJson() {}

    private static JsonMapper mapper(boolean rejectDuplicates) {
        var factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(CanonicalJson.MAX_DEPTH)
                        .build());
        if (rejectDuplicates) factory.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
        return JsonMapper.builder(factory.build())
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build();
    }

    /** Parses by the rules of {@code version}: strict from room version 6, lenient before. */
    public static JsonNode parse(RoomVersion version, byte[] json) {
        return version.strictCanonicalJson() ? parseStrict(json) : parseLenient(json);
    }

    /** {@link #parse(RoomVersion, byte[])} for text. */
    public static JsonNode parse(RoomVersion version, String json) {
        return version.strictCanonicalJson() ? parseStrict(json) : parseLenient(json);
    }

    /** {@link #parse(RoomVersion, byte[])}, requiring a JSON object (as events are). */
    public static ObjectNode parseObject(RoomVersion version, byte[] json) {
        return requireObject(parse(version, json));
    }

    /** {@link #parse(RoomVersion, String)}, requiring a JSON object (as events are). */
    public static ObjectNode parseObject(RoomVersion version, String json) {
        return requireObject(parse(version, json));
    }

    public static JsonNode parseStrict(byte[] json) {
        JsonNode tree = read(STRICT, json);
        validate(tree, true, 0);
        return tree;
    }

    public static JsonNode parseStrict(String json) {
        JsonNode tree = read(STRICT, json);
        validate(tree, true, 0);
        return tree;
    }

    public static JsonNode parseLenient(byte[] json) {
        JsonNode tree = read(LENIENT, json);
        validate(tree, false, 0);
        return tree;
    }

    public static JsonNode parseLenient(String json) {
        JsonNode tree = read(LENIENT, json);
        validate(tree, false, 0);
        return tree;
    }

    /**
     * Checks a tree built in code (not parsed here) against the strict rules; throws a {@link ProtocolException}
     * naming the first violation.
     */
    public static void requireStrict(JsonNode tree) {
        validate(tree, true, 0);
    }

    /** Whether {@code n} is an integer the strict rules allow. */
    public static boolean isSafeInteger(long n) {
        return n >= -MAX_SAFE_INTEGER && n <= MAX_SAFE_INTEGER;
    }

    private static ObjectNode requireObject(JsonNode node) {
        if (node instanceof ObjectNode object) return object;
        throw new ProtocolException("expected a JSON object, got " + describe(node));
    }

    private static JsonNode read(JsonMapper mapper, byte[] json) {
        checkUtf8(json);
        try {
            JsonNode tree = mapper.readTree(json);
            return requirePresent(tree);
        } catch (JacksonException e) {
            throw invalid(e);
        }
    }

    private static JsonNode read(JsonMapper mapper, String json) {
        try {
            JsonNode tree = mapper.readTree(json);
            return requirePresent(tree);
        } catch (JacksonException e) {
            throw invalid(e);
        }
    }

    /**
     * why: Jackson decodes some malformed UTF-8 (overlong forms such as C0 AF) without complaint; the spec's
     * grammar, and Python, accept only well-formed UTF-8.
     */
    static void checkUtf8(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            int c = b[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xFF;
            int need;
            int min;
            if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                min = 0x10000;
            } else {
                throw new ProtocolException("invalid JSON: malformed UTF-8 at byte " + i);
            }
            if (i + need >= n) {
                throw new ProtocolException("invalid JSON: truncated UTF-8 at byte " + i);
            }
            int cp = c & (0x3F >> need);
            for (int k = 1; k <= need; k++) {
                int cont = b[i + k] & 0xFF;
                if ((cont & 0xC0) != 0x80) throw new ProtocolException("invalid JSON: malformed UTF-8 at byte " + (i + k));
                cp = (cp << 6) | (cont & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                throw new ProtocolException("invalid JSON: malformed UTF-8 at byte " + i);
            }
            i += need + 1;
        }
    }

    private static JsonNode requirePresent(JsonNode tree) {
        // why: Jackson reads empty input as a "missing" node instead of failing
        if (tree == null || tree.isMissingNode()) throw new ProtocolException("invalid JSON: no value");
        return tree;
    }

    private static ProtocolException invalid(JacksonException e) {
        String message = e.getOriginalMessage();
        if (message == null) message = e.getClass().getSimpleName();
        int newline = message.indexOf('\n');
        if (newline >= 0) message = message.substring(0, newline);
        var location = e.getLocation();
        String where = location == null || location.getLineNr() < 0 ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
        return new ProtocolException("invalid JSON: " + message + where, e);
    }

    private static void validate(JsonNode node, boolean strict, int depth) {
        if (depth > CanonicalJson.MAX_DEPTH) {
            throw new ProtocolException("JSON is nested deeper than " + CanonicalJson.MAX_DEPTH + " levels");
        }
        switch (node.getNodeType()) {
            case OBJECT -> {
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    checkString(e.getKey());
                    validate(e.getValue(), strict, depth + 1);
                }
            }
            case ARRAY -> {
                for (JsonNode element : node.values()) validate(element, strict, depth + 1);
            }
            case STRING -> checkString(node.stringValue());
            case NUMBER -> checkNumber(node, strict);
            case BOOLEAN, NULL -> { }
            default -> throw new ProtocolException("unexpected JSON value " + describe(node));
        }
    }

    private static void checkNumber(JsonNode node, boolean strict) {
        if (node.isIntegralNumber()) {
            if (strict && !(node.canConvertToLong() && isSafeInteger(node.longValue()))) {
                throw new ProtocolException("integer " + node.asString() + " is outside the range ±(2^53−1) canonical JSON allows");
            }
            return;
        }
        if (strict) {
            throw new ProtocolException("canonical JSON allows only integers, got " + node.asString());
        }
        double d = node.doubleValue();
        if (!Double.isFinite(d)) throw new ProtocolException("number " + node.asString() + " is out of range");
    }

    private static void checkString(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw new ProtocolException("a string contains an unpaired surrogate, which is not valid Unicode");
                }
            }
        }
    }

    private static String describe(JsonNode node) {
        return node == null ? "nothing" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
