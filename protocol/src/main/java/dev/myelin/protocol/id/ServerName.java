package dev.myelin.protocol.id;

import dev.myelin.protocol.ProtocolException;
import java.util.OptionalInt;

/**
 * A server name (appendices, "Server Name"): a DNS name, a dotted-quad IPv4 literal or a bracketed IPv6 literal,
 * with an optional port. Compared case-sensitively, exactly as written.
 *
 * @param value the server name as written, e.g. {@code matrix.org:8448}
 */
public record ServerName(String value) {

    /** The longest DNS name the grammar allows. */
    public static final int MAX_DNS_NAME_LENGTH = 255;

    public ServerName {
        validate(value);
    }

    /** Parses a server name, or throws a {@link ProtocolException} saying what is wrong. */
    public static ServerName parse(String value) {
        return new ServerName(value);
    }

    /** Whether {@code value} is a valid server name. */
    public static boolean isValid(String value) {
        try {
            validate(value);
            return true;
        } catch (ProtocolException e) {
            return false;
        }
    }

    /** The host part: a DNS name, IPv4 literal, or IPv6 literal with its brackets. */
    public String host() {
        return value.substring(0, hostEnd(value));
    }

    /** The explicit port, if any. */
    public OptionalInt port() {
        int end = hostEnd(value);
        return end == value.length() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(value.substring(end + 1)));
    }

    /** Whether the host is an IP literal (v4 or v6) rather than a DNS name. */
    public boolean isIpLiteral() {
        String host = host();
        return host.startsWith("[") || isIpv4(host);
    }

    @Override
    public String toString() {
        return value;
    }

    private static int hostEnd(String value) {
        if (value.startsWith("[")) return value.indexOf(']') + 1;
        int colon = value.lastIndexOf(':');
        return colon < 0 ? value.length() : colon;
    }

    static void validate(String value) {
        if (value == null || value.isEmpty()) throw new ProtocolException("server name is empty");
        String host;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) throw new ProtocolException("server name '" + value + "' has no closing ']'");
            host = value.substring(1, close);
            if (!isIpv6(host)) throw new ProtocolException("server name '" + value + "' is not a valid IPv6 literal");
            checkPort(value, close + 1);
            return;
        }
        int colon = value.indexOf(':');
        host = colon < 0 ? value : value.substring(0, colon);
        if (colon >= 0) checkPort(value, colon);
        if (host.isEmpty()) throw new ProtocolException("server name '" + value + "' has no host");
        if (host.length() > MAX_DNS_NAME_LENGTH) throw new ProtocolException("server name is longer than 255 characters");
        boolean allDigitsAndDots = true;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean dnsChar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
            if (!dnsChar) throw new ProtocolException("server name '" + value + "' has an invalid character");
            if (!(c == '.' || (c >= '0' && c <= '9'))) allDigitsAndDots = false;
        }
        if (allDigitsAndDots && host.chars().filter(c -> c == '.').count() == 3 && !isIpv4(host)) {
            // why: four dot-separated numbers are an IPv4 literal, whose parts must be 0–255
            throw new ProtocolException("server name '" + value + "' is not a valid IPv4 address");
        }
        // why: the grammar allows any run of dns-chars; labels must be non-empty for the name to resolve
        if (host.startsWith(".") || host.endsWith(".") || host.contains("..")) {
            throw new ProtocolException("server name '" + value + "' has an empty DNS label");
        }
    }

    private static void checkPort(String value, int colon) {
        if (colon == value.length()) return;
        if (value.charAt(colon) != ':') throw new ProtocolException("server name '" + value + "' has junk after the host");
        String port = value.substring(colon + 1);
        if (port.isEmpty() || port.length() > 5) throw new ProtocolException("server name '" + value + "' has an invalid port");
        for (int i = 0; i < port.length(); i++) {
            char c = port.charAt(i);
            if (c < '0' || c > '9') throw new ProtocolException("server name '" + value + "' has an invalid port");
        }
    }

    static boolean isIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) return false;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3) return false;
            for (int i = 0; i < part.length(); i++) {
                if (part.charAt(i) < '0' || part.charAt(i) > '9') return false;
            }
            if (Integer.parseInt(part) > 255) return false;
        }
        return true;
    }

    /** RFC 3513 section 2.2 text forms: eight groups, "::" once, optionally a trailing dotted-quad IPv4. */
    static boolean isIpv6(String s) {
        if (s.length() < 2 || s.length() > 45) return false;
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) return false;
        String head = doubleColon >= 0 ? s.substring(0, doubleColon) : s;
        String tail = doubleColon >= 0 ? s.substring(doubleColon + 2) : "";
        int headGroups = countGroups(head, tail.isEmpty() && doubleColon < 0);
        if (headGroups < 0) return false;
        int tailGroups = doubleColon >= 0 ? countGroups(tail, true) : 0;
        if (tailGroups < 0) return false;
        int total = headGroups + tailGroups;
        return doubleColon >= 0 ? total <= 7 : total == 8;
    }

    /** The number of 16-bit groups in a colon-separated list (an IPv4 tail counts two), or -1 if invalid. */
    private static int countGroups(String part, boolean mayEndWithIpv4) {
        if (part.isEmpty()) return 0;
        String[] groups = part.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            if (i == groups.length - 1 && mayEndWithIpv4 && g.indexOf('.') >= 0) {
                if (!isIpv4(g)) return -1;
                count += 2;
                continue;
            }
            if (g.isEmpty() || g.length() > 4) return -1;
            for (int j = 0; j < g.length(); j++) {
                char c = g.charAt(j);
                boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                if (!hex) return -1;
            }
            count++;
        }
        return count;
    }
}
