package dev.myelin.protocol.id;

import dev.myelin.protocol.ProtocolException;

/** The pieces of the appendices' identifier grammar that user IDs, room IDs, aliases and event IDs share. */
final class IdGrammar {

    /** Every identifier with a sigil is at most this many bytes of UTF-8, sigil and domain included. */
    static final int MAX_BYTES = 255;

    private IdGrammar() {}

    /** The UTF-8 length of {@code s} (unpaired surrogates count as the 3 bytes of their replacement). */
    static int utf8Length(String s) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    bytes += 2;
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }

    static void checkLength(String kind, String id) {
        if (utf8Length(id) > MAX_BYTES) {
            throw new ProtocolException(kind + " is longer than " + MAX_BYTES + " bytes");
        }
    }

    static void checkSigil(String kind, String id, char sigil) {
        if (id == null || id.isEmpty() || id.charAt(0) != sigil) {
            throw new ProtocolException(kind + " must start with '" + sigil + "'");
        }
    }

    /** The index of the colon between localpart and domain, or a {@link ProtocolException} if there is none. */
    static int domainColon(String kind, String id) {
        int colon = id.indexOf(':');
        if (colon < 0) throw new ProtocolException(kind + " '" + id + "' has no ':' before its server name");
        return colon;
    }

    /**
     * The historical localpart rule shared by user IDs, room IDs and aliases: any non-surrogate code point except
     * {@code :} and NUL (the colon is excluded by splitting at the first one).
     */
    static void checkOpaqueLocalpart(String kind, String id, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = id.charAt(i);
            if (c == 0) throw new ProtocolException(kind + " contains NUL");
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(id.charAt(i + 1))) {
                    i++;
                } else {
                    throw new ProtocolException(kind + " contains an unpaired surrogate");
                }
            }
        }
    }

    static ServerName domain(String kind, String id, int colon) {
        try {
            return ServerName.parse(id.substring(colon + 1));
        } catch (ProtocolException e) {
            throw new ProtocolException(kind + " '" + id + "': " + e.getMessage());
        }
    }

    /** Whether {@code s[start, end)} is {@code length} characters of unpadded base64 in the given alphabet. */
    static boolean isBase64(String s, int start, int length, boolean urlSafe) {
        if (s.length() - start != length) return false;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || (urlSafe ? (c == '-' || c == '_') : (c == '+' || c == '/'));
            if (!ok) return false;
        }
        return true;
    }
}
