package dev.myelin.syncapi.internal;

import dev.myelin.platform.http.MatrixException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one multi-part {@code since} / {@code next_batch} token: a position per stream, each under a short key
 * ({@code r} room events, then the other streams and the {@link dev.myelin.syncapi.api.SyncExtension}s), written
 * {@code s_r12_t3_…} in key order. Unknown keys are kept, missing keys read as 0, so tokens survive restarts
 * and releases that add streams. Also parses the room pagination tokens {@code t<pos>} of {@code prev_batch}.
 */
public record SyncToken(Map<String, Long> positions) {

    /** The key of the room event stream. */
    public static final String ROOMS = "r";

    public SyncToken {
        positions = Map.copyOf(positions);
    }

    public long get(String key) {
        return positions.getOrDefault(key, 0L);
    }

    public String encode() {
        StringBuilder sb = new StringBuilder("s");
        new TreeMap<>(positions).forEach((k, v) -> sb.append('_').append(k).append(v));
        return sb.toString();
    }

    @Override
    public String toString() {
        return encode();
    }

    /** Parses a since token; 400 {@code M_INVALID_PARAM} when it is not one of ours. */
    public static SyncToken parse(String token) {
        if (!token.startsWith("s_") && !token.equals("s")) throw invalid();
        Map<String, Long> positions = new TreeMap<>();
        if (token.length() > 1) {
            for (String part : token.substring(2).split("_", -1)) {
                int i = 0;
                while (i < part.length() && part.charAt(i) >= 'a' && part.charAt(i) <= 'z') i++;
                if (i == 0 || i > 3 || i == part.length() || part.length() - i > 18) throw invalid();
                long value;
                try {
                    value = Long.parseLong(part.substring(i));
                } catch (NumberFormatException e) {
                    throw invalid();
                }
                // why: interned (at most 26^3 keys can exist): a held long poll then keeps no copies of "r", "t", …
                if (value < 0 || positions.put(part.substring(0, i).intern(), value) != null) throw invalid();
            }
        }
        return new SyncToken(positions);
    }

    /** A room pagination boundary: {@code t<pos>} means "before position pos" (dir b) / "from pos on" (dir f). */
    public static String roomBoundary(long pos) {
        return "t" + pos;
    }

    /**
     * The room stream boundary named by a pagination token: a {@code t<pos>} token, or a sync token (whose room
     * position {@code r} was included, so the boundary is r + 1).
     */
    public static long parseBoundary(String token) {
        if (token.startsWith("t")) {
            try {
                long pos = Long.parseLong(token.substring(1));
                if (pos < 0) throw invalid();
                return pos;
            } catch (NumberFormatException e) {
                throw invalid();
            }
        }
        return parse(token).get(ROOMS) + 1;
    }

    private static MatrixException invalid() {
        return MatrixException.invalidParam("Unknown or malformed token");
    }
}
