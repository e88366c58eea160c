package dev.myelin.mediaapi.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which IP addresses the server may connect to when it fetches a URL for a preview: never the built-in private,
 * loopback, link-local, multicast and reserved ranges (nor configured extra ones), unless an allowed range says
 * otherwise. Checked on the addresses a name resolves to, for every connection (so on every redirect too).
 */
public final class IpRanges {
    /** Ranges no fetch may reach by default (RFC 6890 special-purpose registries, roughly). */
    public static final List<String> BUILT_IN_DENIED = List.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
            "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
            "2002::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8");

    private final List<Cidr> denied;
    private final List<Cidr> allowed;

    /** One network: an address and how many leading bits must match. */
    record Cidr(byte[] network, int bits) {
        static Cidr parse(String text) {
            String[] parts = text.trim().split("/", 2);
            byte[] address = literal(parts[0]);
            int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : address.length * 8;
            if (bits < 0 || bits > address.length * 8) throw new IllegalArgumentException("bad prefix length in " + text);
            return new Cidr(address, bits);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) return false;
            int full = bits / 8;
            for (int i = 0; i < full; i++) if (address[i] != network[i]) return false;
            int rest = bits % 8;
            if (rest == 0) return true;
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    /**
     * @param extraDenied CIDR ranges denied besides {@link #BUILT_IN_DENIED}
     * @param allowed     CIDR ranges allowed even when denied
     * @throws IllegalArgumentException naming a range that is not CIDR notation
     */
    public IpRanges(List<String> extraDenied, List<String> allowed) {
        List<Cidr> d = new ArrayList<>();
        for (String r : BUILT_IN_DENIED) d.add(Cidr.parse(r));
        for (String r : extraDenied) d.add(parseChecked(r));
        this.denied = List.copyOf(d);
        this.allowed = allowed.stream().map(IpRanges::parseChecked).toList();
    }

    /** Whether a connection to {@code address} is allowed. */
    public boolean permits(InetAddress address) {
        byte[] bytes = address.getAddress();
        for (Cidr c : allowed) if (c.contains(bytes)) return true;
        if (address instanceof java.net.Inet6Address v6 && v6.getScopeId() != 0) return false;
        for (Cidr c : denied) if (c.contains(bytes)) return false;
        // why: an IPv4-mapped or IPv4-compatible IPv6 address reaches the IPv4 host; judge it as that host
        if (bytes.length == 16 && isMappedV4(bytes)) {
            byte[] v4 = java.util.Arrays.copyOfRange(bytes, 12, 16);
            for (Cidr c : allowed) if (c.contains(v4)) return true;
            for (Cidr c : denied) if (c.contains(v4)) return false;
        }
        return true;
    }

    private static boolean isMappedV4(byte[] b) {
        for (int i = 0; i < 10; i++) if (b[i] != 0) return false;
        return (b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0);
    }

    /** Validates a list of ranges from the configuration. */
    public static void validate(List<String> ranges) {
        ranges.forEach(IpRanges::parseChecked);
    }

    private static Cidr parseChecked(String text) {
        try {
            return Cidr.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not an IP range in CIDR notation (e.g. 10.0.0.0/8): '" + text + "'");
        }
    }

    // why: only literals; InetAddress.getByName would resolve a host name here
    private static byte[] literal(String text) {
        if (!text.matches("[0-9a-fA-F:.]+")) throw new IllegalArgumentException("not an IP literal: " + text);
        try {
            InetAddress a = InetAddress.getByName(text);
            byte[] bytes = a.getAddress();
            if (text.contains(":") && bytes.length == 4) {
                // ::ffff:a.b.c.d comes back as IPv4; keep the range in IPv6 form
                byte[] v6 = new byte[16];
                v6[10] = (byte) 0xff;
                v6[11] = (byte) 0xff;
                System.arraycopy(bytes, 0, v6, 12, 4);
                return v6;
            }
            return bytes;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + text, e);
        }
    }
}
