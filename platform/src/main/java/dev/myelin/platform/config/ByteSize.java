package dev.myelin.platform.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes written for people: {@code 1048576}, {@code 512KiB}, {@code 1MiB}, {@code 50M}, {@code 2GiB} (K, M, G are 1024-based). */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|B|K|KB|KIB|M|MB|MIB|G|GB|GIB)");

    private ByteSize() {}

    public static long parse(String text, String key) {
        Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) throw new ConfigException(key, "must be a size such as 1048576, 512KiB, 1MiB or 2GiB, got '" + text + "'");
        long shift = switch (m.group(2)) {
            case "", "B" -> 0;
            case "K", "KB", "KIB" -> 10;
            case "M", "MB", "MIB" -> 20;
            default -> 30;
        };
        try {
            long n = Long.parseLong(m.group(1));
            if (n > (Long.MAX_VALUE >> shift)) throw new NumberFormatException();
            return n << shift;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "is too large: '" + text + "'");
        }
    }

    /** The shortest exact form: {@code 1MiB}, {@code 512KiB}, or bytes. */
    public static String format(long bytes) {
        if (bytes > 0 && bytes % (1L << 30) == 0) return (bytes >> 30) + "GiB";
        if (bytes > 0 && bytes % (1L << 20) == 0) return (bytes >> 20) + "MiB";
        if (bytes > 0 && bytes % (1L << 10) == 0) return (bytes >> 10) + "KiB";
        return Long.toString(bytes);
    }
}
