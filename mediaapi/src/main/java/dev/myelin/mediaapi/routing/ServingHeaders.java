package dev.myelin.mediaapi.routing;

import dev.myelin.platform.http.Reply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The headers that make serving user content safe: a sandboxing Content-Security-Policy, nosniff, a checked
 * Content-Type, and {@code Content-Disposition: inline} only for the types the spec lists as safe to render.
 *
 * @see <a href="https://spec.matrix.org/v1.19/client-server-api/#serving-inline-content">Serving inline content</a>
 */
final class ServingHeaders {
    static final String CSP = "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; "
            + "style-src 'unsafe-inline'; object-src 'self';";

    private static final Set<String> INLINE_TYPES = Set.of("text/css", "text/plain", "text/csv", "application/json",
            "application/ld+json", "image/jpeg", "image/gif", "image/png", "image/apng", "image/webp", "image/avif",
            "video/mp4", "video/webm", "video/ogg", "video/quicktime", "audio/mp4", "audio/webm", "audio/aac",
            "audio/mpeg", "audio/ogg", "audio/wave", "audio/wav", "audio/x-wav", "audio/x-pn-wav", "audio/flac",
            "audio/x-flac");
    // a type/subtype with optional parameters, nothing that could split a header
    private static final Pattern CONTENT_TYPE = Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\\s*;\\s*[A-Za-z0-9!#$&^_.+-]+=(\"[^\"\\\\\\p{Cntrl}]*\"|[A-Za-z0-9!#$&^_.+-]+))*");

    private ServingHeaders() {}

    /** The content type as stored, or application/octet-stream when missing or not a valid media type. */
    static String contentType(Optional<String> stored) {
        return stored.map(String::strip).filter(t -> CONTENT_TYPE.matcher(t).matches()).orElse("application/octet-stream");
    }

    /** A file reply with every safe-serving header; {@code fileName} goes into Content-Disposition. */
    static Reply file(String contentType, java.nio.file.Path path, long size, Optional<String> fileName) {
        return Reply.streamed(200, contentType, size, out -> java.nio.file.Files.copy(path, out))
                .withHeader("Content-Disposition", disposition(contentType, fileName))
                .withHeader("Content-Security-Policy", CSP)
                .withHeader("X-Content-Type-Options", "nosniff")
                .withHeader("Cross-Origin-Resource-Policy", "cross-origin")
                .withHeader("Cache-Control", "private, max-age=86400");
    }

    static String disposition(String contentType, Optional<String> fileName) {
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        String kind = INLINE_TYPES.contains(type) ? "inline" : "attachment";
        if (fileName.isEmpty() || fileName.get().isBlank()) return kind;
        String name = fileName.get();
        // why: RFC 6266 — an ASCII fallback with nothing that could end the quoted string, plus the exact UTF-8 name
        String ascii = name.replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "_");
        String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        return kind + "; filename=\"" + ascii + "\"; filename*=utf-8''" + encoded;
    }
}
