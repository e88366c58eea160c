package dev.myelin.platform.config;

/** A listening address, written {@code host:port} ({@code [::1]:8008} for IPv6). */
public record HostPort(String host, int port) {

    public HostPort {
        if (host.isEmpty()) throw new IllegalArgumentException("empty host");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }

    /** Parses {@code host:port}; {@code key} names the option in the error message. */
    public static HostPort parse(String text, String key) {
        String value = text.trim();
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new ConfigException(key, "must be host:port (e.g. 127.0.0.1:8008), got '" + text + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        else if (host.contains(":")) throw new ConfigException(key, "an IPv6 host must be in brackets, e.g. [::1]:8008, got '" + text + "'");
        String portText = value.substring(colon + 1);
        long port;
        try {
            port = Long.parseLong(portText);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "port must be a number, got '" + portText + "'");
        }
        if (port < 1 || port > 65535) throw new ConfigException(key, "port must be 1–65535, got " + port);
        return new HostPort(host, (int) port);
    }

    /** Whether the host means "every interface" (then a public URL cannot be built from it). */
    public boolean isWildcard() {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    }

    /** Whether the host is a loopback address or {@code localhost} (reachable only from this machine). */
    public boolean isLoopback() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
