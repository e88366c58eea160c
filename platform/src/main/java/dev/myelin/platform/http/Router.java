package dev.myelin.platform.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps a method and a path to a {@link Route}. Paths are templates such as
 * {@code /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}}: literal segments and {@code {param}}
 * segments, each parameter one whole segment, percent-decoded (so {@code %2F} stays inside the parameter). A
 * literal segment wins over a parameter at the same place. Components add their routes at start-up; the
 * router is read-only once the server runs.
 */
public final class Router {
    /** No per-route limit: the server's {@code max_request_body_size} applies. */
    public static final long DEFAULT_BODY_LIMIT = -1;

    private final Node root = new Node();
    private final List<Endpoint> endpoints = new ArrayList<>();

    /** One registered endpoint: its method, template, body limit (or {@link #DEFAULT_BODY_LIMIT}) and code. */
    public record Endpoint(String method, String template, long maxBodyBytes, Route route) {
        List<String> segments() { return splitTemplate(template); }
    }

    /** The answer of {@link #match}. */
    public sealed interface Match {}

    /** The path and method are known: the endpoint and its decoded path parameters. */
    public record Found(Endpoint endpoint, Map<String, String> pathParams) implements Match {}

    /** The path is known but not with this method; {@code allowed} lists the methods it has. */
    public record WrongMethod(Set<String> allowed) implements Match {}

    /** No endpoint has this path. */
    public record NotFound() implements Match {}

    public Router get(String template, Route route) { return add("GET", template, DEFAULT_BODY_LIMIT, route); }

    public Router put(String template, Route route) { return add("PUT", template, DEFAULT_BODY_LIMIT, route); }

    public Router post(String template, Route route) { return add("POST", template, DEFAULT_BODY_LIMIT, route); }

    public Router delete(String template, Route route) { return add("DELETE", template, DEFAULT_BODY_LIMIT, route); }

    public Router add(String method, String template, Route route) { return add(method, template, DEFAULT_BODY_LIMIT, route); }

    /**
     * Registers {@code route} for {@code method} on {@code template}; {@code maxBodyBytes} overrides the
     * server's body size limit for this endpoint (e.g. media upload), or is {@link #DEFAULT_BODY_LIMIT}.
     */
    public synchronized Router add(String method, String template, long maxBodyBytes, Route route) {
        Endpoint endpoint = new Endpoint(method, template, maxBodyBytes, route);
        Node node = root;
        for (String segment : splitTemplate(template)) {
            if (isParam(segment)) {
                if (node.param == null) node.param = new Node();
                node = node.param;
            } else {
                node = node.literals.computeIfAbsent(segment, s -> new Node());
            }
        }
        if (node.byMethod.putIfAbsent(method, endpoint) != null) {
            throw new IllegalStateException("two routes for " + method + " " + template);
        }
        endpoints.add(endpoint);
        return this;
    }

    /** Every registered endpoint, in registration order. */
    public synchronized List<Endpoint> endpoints() { return List.copyOf(endpoints); }

    /**
     * Finds the endpoint for {@code method} and the raw (still percent-encoded) {@code rawPath}.
     *
     * @throws MatrixException 400 when the path's percent-encoding is not valid UTF-8
     */
    public Match match(String method, String rawPath) {
        if (!rawPath.startsWith("/")) return new NotFound();
        String[] raw = rawPath.substring(1).split("/", -1);
        String[] decoded = new String[raw.length];
        for (int i = 0; i < raw.length; i++) decoded[i] = percentDecode(raw[i]);

        Search search = new Search(method, decoded);
        search.walk(root, 0);
        if (search.found != null) {
            return new Found(search.found, params(search.found, decoded));
        }
        if (search.pathKnown != null) return new WrongMethod(new TreeSet<>(search.pathKnown.byMethod.keySet()));
        return new NotFound();
    }

    private static Map<String, String> params(Endpoint endpoint, String[] decoded) {
        List<String> segments = endpoint.segments();
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String s = segments.get(i);
            if (isParam(s)) params.put(s.substring(1, s.length() - 1), decoded[i]);
        }
        return Map.copyOf(params);
    }

    // why: a depth-first walk with backtracking, literals first, so that /rooms/{roomId}/joined_members and
    // /rooms/{roomId}/{anything} can live side by side; the first node that has the method wins.
    private static final class Search {
        final String method;
        final String[] segments;
        Endpoint found;
        Node pathKnown;

        Search(String method, String[] segments) {
            this.method = method;
            this.segments = segments;
        }

        boolean walk(Node node, int depth) {
            if (depth == segments.length) {
                if (node.byMethod.isEmpty()) return false;
                Endpoint endpoint = node.byMethod.get(method);
                if (endpoint == null && method.equals("HEAD")) endpoint = node.byMethod.get("GET");
                if (endpoint != null) {
                    found = endpoint;
                    return true;
                }
                if (pathKnown == null) pathKnown = node;
                return false;
            }
            Node literal = node.literals.get(segments[depth]);
            if (literal != null && walk(literal, depth + 1)) return true;
            return node.param != null && walk(node.param, depth + 1);
        }
    }

    private static final class Node {
        final Map<String, Node> literals = new HashMap<>();
        Node param;
        final Map<String, Endpoint> byMethod = new HashMap<>();
    }

    private static boolean isParam(String segment) {
        return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
    }

    private static List<String> splitTemplate(String template) {
        if (!template.startsWith("/")) throw new IllegalArgumentException("template must start with /: " + template);
        List<String> segments = List.of(template.substring(1).split("/", -1));
        for (String s : segments) {
            if ((s.contains("{") || s.contains("}")) && !isParam(s)) {
                throw new IllegalArgumentException("a parameter must be a whole segment: " + template);
            }
        }
        return segments;
    }

    /** Decodes %XX escapes as UTF-8; '+' stays '+' (it means a space only in query strings). */
    static String percentDecode(String segment) {
        if (segment.indexOf('%') < 0) return segment;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(segment.charAt(i + 2), 16) : -1;
                if (lo < 0) throw MatrixException.unrecognized("Invalid percent-encoding in path", 400);
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < segment.length()) {
                    utf8 = segment.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.writeBytes(utf8);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw MatrixException.unrecognized("Path is not valid UTF-8 after percent-decoding", 400);
        }
    }
}
