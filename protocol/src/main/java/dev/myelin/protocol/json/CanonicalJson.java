package dev.myelin.protocol.json;

import dev.myelin.protocol.ProtocolException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Encodes a JSON tree as the spec's Canonical JSON (appendices, "Canonical JSON"): UTF-8, no insignificant
 * whitespace, object keys sorted by Unicode code point, the shortest escapes. The output is byte-identical to
 * python-canonicaljson, which Synapse signs with; see {@link #encode} for numbers.
 */
public final class CanonicalJson {

    /** The deepest nesting of arrays and objects the encoder (and {@link ProtocolJson}) accepts. */
    public static final int MAX_DEPTH = 100;

    /**
     * Orders strings by Unicode code point. why: {@link String#compareTo} compares UTF-16 units, which puts
     * characters outside the BMP (surrogate pairs, 0xD800–0xDFFF) before U+E000–U+FFFF.
     */
    public static final Comparator<String> CODE_POINT_ORDER = CanonicalJson::compareCodePoints;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String[] NO_KEYS = new String[0];

    private CanonicalJson() {}

    /**
     * The canonical JSON bytes of {@code value}. Integers (any size) are written plainly, like Python's
     * {@code int}. Floating-point numbers, which only room versions 1–5 may carry, are written as Python's
     * {@code repr(float)} does ({@code 1.0}, {@code 1e+16}, {@code 1e-05}), because python-canonicaljson does
     * so and Synapse signs those bytes. NaN, infinities and unpaired surrogates cannot be encoded and give a
     * {@link ProtocolException}, as does nesting deeper than {@link #MAX_DEPTH}.
     */
    public static byte[] encode(JsonNode value) {
        var out = new Output(256);
        out.value(value, 0);
        return out.toByteArray();
    }

    /** {@link #encode} as a Java string. */
    public static String encodeToString(JsonNode value) {
        return new String(encode(value), StandardCharsets.UTF_8);
    }

    /**
     * The canonical JSON of {@code object} without the given top-level keys, without copying the tree. This is
     * what signing ({@code signatures}, {@code unsigned}) and content hashing (also {@code hashes}) encode.
     */
    public static byte[] encodeWithout(ObjectNode object, String... skippedTopLevelKeys) {
        var out = new Output(512);
        out.object(object, 0, skippedTopLevelKeys);
        return out.toByteArray();
    }

    static int compareCodePoints(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                if (x >= 0xD800 && y >= 0xD800) {
                    // why: move surrogates (code points above U+FFFF) after U+E000–U+FFFF, keeping both ranges' order
                    return fixUp(x) - fixUp(y);
                }
                return x - y;
            }
        }
        return a.length() - b.length();
    }

    private static int fixUp(char c) {
        return c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }

    /** Writes Python's {@code repr} of a finite double; see {@link #encode}. */
    static String pythonFloatRepr(double d) {
        if (!Double.isFinite(d)) throw new ProtocolException("NaN and infinite numbers cannot be encoded as JSON");
        if (d == 0) return (Double.doubleToRawLongBits(d) < 0) ? "-0.0" : "0.0";
        // why: Double.toString gives the shortest digits that round-trip (JDK 19+), the same digits as Python's repr
        double abs = Math.abs(d);
        BigDecimal exact = new BigDecimal(Double.toString(abs)).stripTrailingZeros();
        if (exact.precision() == 2) exact = oneDigitIfRoundTrips(abs, exact);
        String digits = exact.unscaledValue().toString();
        int pointPos = digits.length() - exact.scale(); // value = 0.<digits> × 10^pointPos
        var s = new StringBuilder(24);
        if (d < 0) s.append('-');
        if (pointPos > -4 && pointPos <= 16) {
            if (pointPos <= 0) {
                s.append("0.");
                s.repeat('0', -pointPos);
                s.append(digits);
            } else if (pointPos >= digits.length()) {
                s.append(digits);
                s.repeat('0', pointPos - digits.length());
                s.append(".0");
            } else {
                s.append(digits, 0, pointPos).append('.').append(digits, pointPos, digits.length());
            }
        } else {
            s.append(digits.charAt(0));
            if (digits.length() > 1) s.append('.').append(digits, 1, digits.length());
            int exponent = pointPos - 1;
            s.append('e').append(exponent < 0 ? '-' : '+');
            int absExponent = Math.abs(exponent);
            if (absExponent < 10) s.append('0');
            s.append(absExponent);
        }
        return s.toString();
    }

    /**
     * why: Double.toString never writes fewer than two significant digits (4.9E-324 for Double.MIN_VALUE) where
     * Python's repr writes the shortest (5e-324); try the one-digit neighbours and keep the closest that round-trips.
     */
    private static BigDecimal oneDigitIfRoundTrips(double abs, BigDecimal twoDigits) {
        BigDecimal down = twoDigits.round(new java.math.MathContext(1, java.math.RoundingMode.FLOOR));
        BigDecimal up = twoDigits.round(new java.math.MathContext(1, java.math.RoundingMode.CEILING));
        BigDecimal best = null;
        for (BigDecimal candidate : new BigDecimal[] {down, up}) {
            if (Double.parseDouble(candidate.toString()) != abs) continue;
            if (best == null || candidate.subtract(new BigDecimal(abs)).abs()
                    .compareTo(best.subtract(new BigDecimal(abs)).abs()) < 0) {
                best = candidate;
            }
        }
        return best == null ? twoDigits : best.stripTrailingZeros();
    }

    /** An unsynchronised growable byte buffer that the encoder writes straight into. */
    private static final class Output {
        private byte[] buf;
        private int len;

        Output(int capacity) {
            buf = new byte[capacity];
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }

        private void ensure(int extra) {
            if (len + extra > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
            }
        }

        private void put(byte b) {
            ensure(1);
            buf[len++] = b;
        }

        private void ascii(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) buf[len++] = (byte) s.charAt(i);
        }

        void value(JsonNode node, int depth) {
            switch (node.getNodeType()) {
                case OBJECT -> object((ObjectNode) node, depth, NO_KEYS);
                case ARRAY -> {
                    if (depth >= MAX_DEPTH) throw tooDeep();
                    put((byte) '[');
                    int n = node.size();
                    for (int i = 0; i < n; i++) {
                        if (i > 0) put((byte) ',');
                        value(node.get(i), depth + 1);
                    }
                    put((byte) ']');
                }
                case STRING -> string(node.stringValue());
                case NUMBER -> number(node);
                case BOOLEAN -> ascii(node.booleanValue() ? "true" : "false");
                case NULL -> ascii("null");
                default -> throw new ProtocolException("cannot encode a JSON node of type " + node.getNodeType());
            }
        }

        void object(ObjectNode node, int depth, String[] skipped) {
            if (depth >= MAX_DEPTH) throw tooDeep();
            int size = node.size();
            String[] keys = new String[size];
            int n = 0;
            for (String key : node.propertyNames()) {
                if (skipped.length > 0 && isSkipped(key, skipped)) continue;
                keys[n++] = key;
            }
            if (n > 1) Arrays.sort(keys, 0, n, CODE_POINT_ORDER);
            put((byte) '{');
            for (int i = 0; i < n; i++) {
                if (i > 0) put((byte) ',');
                string(keys[i]);
                put((byte) ':');
                value(node.get(keys[i]), depth + 1);
            }
            put((byte) '}');
        }

        private static boolean isSkipped(String key, String[] skipped) {
            for (String s : skipped) {
                if (s.equals(key)) return true;
            }
            return false;
        }

        private void number(JsonNode node) {
            if (node.isIntegralNumber()) {
                if (node.canConvertToLong()) {
                    ascii(Long.toString(node.longValue()));
                } else {
                    BigInteger big = node.bigIntegerValue();
                    ascii(big.toString());
                }
            } else if (node.isBigDecimal()) {
                ascii(pythonFloatRepr(node.decimalValue().doubleValue()));
            } else {
                ascii(pythonFloatRepr(node.doubleValue()));
            }
        }

        private void string(String s) {
            int n = s.length();
            ensure(n + 2);
            buf[len++] = '"';
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    if (c >= 0x20 && c != '"' && c != '\\') {
                        ensure(1);
                        buf[len++] = (byte) c;
                    } else {
                        escape(c);
                    }
                } else if (c < 0x800) {
                    ensure(2);
                    buf[len++] = (byte) (0xC0 | (c >> 6));
                    buf[len++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isSurrogate(c)) {
                    if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        int cp = Character.toCodePoint(c, s.charAt(++i));
                        ensure(4);
                        buf[len++] = (byte) (0xF0 | (cp >> 18));
                        buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                        buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                        buf[len++] = (byte) (0x80 | (cp & 0x3F));
                    } else {
                        throw new ProtocolException("a string contains an unpaired surrogate (U+"
                                + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + "), which is not valid Unicode");
                    }
                } else {
                    ensure(3);
                    buf[len++] = (byte) (0xE0 | (c >> 12));
                    buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    buf[len++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            ensure(1);
            buf[len++] = '"';
        }

        private void escape(char c) {
            ensure(6);
            buf[len++] = '\\';
            switch (c) {
                case '"' -> buf[len++] = '"';
                case '\\' -> buf[len++] = '\\';
                case '\b' -> buf[len++] = 'b';
                case '\f' -> buf[len++] = 'f';
                case '\n' -> buf[len++] = 'n';
                case '\r' -> buf[len++] = 'r';
                case '\t' -> buf[len++] = 't';
                default -> {
                    buf[len++] = 'u';
                    buf[len++] = '0';
                    buf[len++] = '0';
                    buf[len++] = HEX[(c >> 4) & 0xF];
                    buf[len++] = HEX[c & 0xF];
                }
            }
        }

        private static ProtocolException tooDeep() {
            return new ProtocolException("JSON is nested deeper than " + MAX_DEPTH + " levels");
        }
    }
}
