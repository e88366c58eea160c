package dev.myelin.protocol.json;

import java.util.Random;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Random JSON trees for differential and property tests, biased to the characters and numbers that matter. */
public final class RandomJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String SPECIAL = "\"\\/\b\f\n\r\t\u0000\u0001\u001f\u007f\u0080\u00ff\u2028\u2029\uFEFF\uFFFD";

    private final Random random;
    private final boolean floats;

    /** @param floats whether to include floats and integers beyond ±(2^53−1) (allowed in room versions 1–5) */
    public RandomJson(Random random, boolean floats) {
        this.random = random;
        this.floats = floats;
    }

    public JsonNode value(int depth) {
        int kind = random.nextInt(depth <= 0 ? 5 : 7);
        return switch (kind) {
            case 0 -> NODES.stringNode(string());
            case 1 -> number();
            case 2 -> NODES.booleanNode(random.nextBoolean());
            case 3 -> NODES.nullNode();
            case 4 -> NODES.stringNode(string());
            case 5 -> array(depth - 1);
            default -> object(depth - 1);
        };
    }

    public ObjectNode object(int depth) {
        ObjectNode o = NODES.objectNode();
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) o.set(string(), value(depth));
        return o;
    }

    public ArrayNode array(int depth) {
        ArrayNode a = NODES.arrayNode();
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) a.add(value(depth));
        return a;
    }

    public JsonNode number() {
        long max = ProtocolJson.MAX_SAFE_INTEGER;
        int kind = random.nextInt(floats ? 9 : 6);
        return switch (kind) {
            case 0 -> NODES.numberNode(random.nextInt(200) - 100);
            case 1 -> NODES.numberNode(random.nextLong(-max, max + 1));
            case 2 -> NODES.numberNode(random.nextBoolean() ? max : -max);
            case 3 -> NODES.numberNode(0);
            case 4 -> NODES.numberNode((long) random.nextInt());
            case 5 -> NODES.numberNode(random.nextLong(-1000, 1000) * 1_000_000_000L);
            case 6 -> NODES.numberNode(random.nextLong() | (1L << 60));
            case 7 -> NODES.numberNode(new java.math.BigInteger(90, random).negate());
            default -> NODES.numberNode(randomDouble());
        };
    }

    private double randomDouble() {
        while (true) {
            double d = switch (random.nextInt(4)) {
                case 0 -> Double.longBitsToDouble(random.nextLong());
                case 1 -> random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
                case 2 -> (double) random.nextInt(100000) / 8;
                default -> random.nextGaussian();
            };
            if (Double.isFinite(d)) return d;
        }
    }

    public String string() {
        int n = random.nextInt(8);
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            switch (random.nextInt(8)) {
                case 0 -> sb.append(SPECIAL.charAt(random.nextInt(SPECIAL.length())));
                case 1 -> sb.append((char) random.nextInt(0x20));
                case 2 -> sb.append((char) (0xE000 + random.nextInt(0x2000)));
                case 3 -> sb.appendCodePoint(0x10000 + random.nextInt(0x100000));
                case 4 -> {
                    int c = random.nextInt(0xD800);
                    sb.append((char) c);
                }
                case 5 -> sb.append((char) ('a' + random.nextInt(3)));
                default -> sb.append((char) (0x20 + random.nextInt(0x5F)));
            }
        }
        return sb.toString();
    }
}
